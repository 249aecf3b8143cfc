/// A sparse matrix in compressed sparse row (CSR) form: for row r, the non-zero values
/// `values[rowStarts[r] ..< rowStarts[r + 1]]` sit in the columns `columnIndices[…]`.
///
/// SparseLinear keeps Wᵀ in this form, one row per *input*, to scatter the non-zero inputs
/// of a mostly-zero activation (`accumulateTransposedProduct`); its dense-input kernel uses
/// `SlicedEllpackMatrix`. Storage: 4 bytes per value, 4 per column index, 4 per row start.
public struct CSRMatrix: Equatable {
    public let rows: Int
    public let columns: Int
    public let rowStarts: [Int32]
    public let columnIndices: [Int32]
    public let values: [Float]

    /// Compresses a dense row-major matrix, dropping its exact zeros.
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "CSRMatrix: \(dense.count) values for \(rows)×\(columns)")
        precondition(dense.count <= Int(Int32.max), "CSRMatrix: \(dense.count) elements overflow 32-bit indices")
        var starts: [Int32] = [0]
        var indices: [Int32] = []
        var nonzero: [Float] = []
        starts.reserveCapacity(rows + 1)
        for r in 0..<rows {
            for c in 0..<columns where dense[r * columns + c] != 0 {
                indices.append(Int32(c))
                nonzero.append(dense[r * columns + c])
            }
            starts.append(Int32(nonzero.count))
        }
        self.rows = rows
        self.columns = columns
        rowStarts = starts
        columnIndices = indices
        values = nonzero
    }

    public var nonzeroCount: Int { values.count }

    /// Bytes the three arrays occupy.
    public var storageBytes: Int { 4 * (values.count + columnIndices.count + rowStarts.count) }

    /// The matrix as dense row-major values.
    public func dense() -> [Float] {
        var result = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for k in Int(rowStarts[r])..<Int(rowStarts[r + 1]) { result[r * columns + Int(columnIndices[k])] = values[k] }
        }
        return result
    }

    /// y += xᵀ·M for one input vector `input` [rows], skipping its zero entries: with this
    /// matrix holding Wᵀ (one row per *input* of a Linear), that adds x·Wᵀ to `output`
    /// [columns] at a cost proportional to the non-zeros of W that meet non-zero inputs —
    /// after ReLU, or on MNIST's mostly black pixels, a fraction of all of them.
    public func accumulateTransposedProduct(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { nonzeros in
                    guard let c = indices.baseAddress, let v = nonzeros.baseAddress else { return }
                    for r in 0..<rows {
                        let xr = input[r]
                        if xr == 0 { continue }
                        // Distinct columns within a row: the updates are independent.
                        for k in Int(starts[r])..<Int(starts[r + 1]) { output[Int(c[k])] += v[k] * xr }
                    }
                }
            }
        }
    }
}
