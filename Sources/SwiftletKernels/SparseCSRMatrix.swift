/// A sparse matrix in compressed sparse row (CSR) form: for row r, the non-zero values
/// `values[rowStarts[r] ..< rowStarts[r + 1]]` sit in the columns `columnIndices[…]`.
///
/// Built from a pruned Linear weight [out, in], one row per output neuron, it computes
/// y = x·Wᵀ + b touching only the non-zeros: y_r = b_r + Σ_k values[k] · x[columnIndices[k]].
/// Storage: 4 bytes per value, 4 per column index, 4 per row start.
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

    /// y = x·Wᵀ + b for `batch` rows: `input` is [batch, columns], `output` [batch, rows],
    /// `bias` [rows] or nil. Spread over threads by rows when the work is large enough to
    /// pay for the dispatch.
    public func linear(input: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        // Below ~64k multiply-adds (tens of microseconds) one thread is faster.
        let minimumRowsPerThread = max(1, rows * 65_536 / max(nonzeroCount * batch, 1))
        rowStarts.withUnsafeBufferPointer { starts in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { nonzeros in
                    let (s, i, v) = (starts.baseAddress!, indices.baseAddress, nonzeros.baseAddress)
                    Parallel.forRanges(rows, minimumChunk: minimumRowsPerThread) { rowRange in
                        for b in 0..<batch {
                            csrRows(rowRange, s, i, v, input + b * columns, bias, output + b * rows)
                        }
                    }
                }
            }
        }
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

/// y[r] = bias[r] + Σ_k v[k] · x[col[k]] for the rows in `range`.
///
/// Eight gathered inputs at a time meet eight contiguous values in one vector FMA, so the
/// values cost one load per eight non-zeros; the gathers x[col[k]] hit L1 (a Linear's
/// input is at most a few thousand floats).
@inline(__always)
private func csrRows(
    _ range: Range<Int>, _ starts: UnsafePointer<Int32>, _ columns: UnsafePointer<Int32>?, _ values: UnsafePointer<Float>?,
    _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>
) {
    for r in range {
        var k = Int(starts[r])
        let end = Int(starts[r + 1])
        guard let c = columns, let v = values, k < end else {
            y[r] = bias?[r] ?? 0
            continue
        }
        var sums = SIMD8<Float>()
        while k + 8 <= end {
            let gathered = SIMD8<Float>(x[Int(c[k])], x[Int(c[k + 1])], x[Int(c[k + 2])], x[Int(c[k + 3])],
                                        x[Int(c[k + 4])], x[Int(c[k + 5])], x[Int(c[k + 6])], x[Int(c[k + 7])])
            sums.addProduct(UnsafeRawPointer(v + k).loadUnaligned(as: SIMD8<Float>.self), gathered)
            k += 8
        }
        var sum = sums.sum()
        while k < end {
            sum += v[k] * x[Int(c[k])]
            k += 1
        }
        y[r] = (bias?[r] ?? 0) + sum
    }
}
