/// A sparse matrix in sliced ELLPACK form (SELL-8-σ, Kreutzer et al. 2014), the layout of
/// the batch-1 sparse Linear: y = x·Wᵀ + b with W [out, in] pruned.
///
/// Rows are sorted by their number of non-zeros and cut into slices of eight. A slice stores
/// the j-th non-zero of each of its eight rows side by side (8 values, 8 column indices), for
/// j up to the longest row of the slice; shorter rows are padded with zero weights. One
/// 8-wide gather of x and one FMA then advance all eight rows, so there is no horizontal
/// sum and no remainder loop per row, which is what a per-row CSR loop spends its time on
/// with ~80 non-zeros a row. Sorting keeps the padding small (rows of a slice have nearly
/// equal lengths): 1.7 % on LeNet-300-100's fc1 at 90 % sparsity.
///
/// Column indices are 16-bit (half the index traffic of CSR's 32), so at most 65,536 columns.
public struct SlicedEllpackMatrix: Equatable {
    /// Rows per slice: one 8-wide vector of outputs.
    public static let sliceHeight = 8
    /// Below this fraction of non-zero inputs, scattering them along Wᵀ (CSRMatrix's
    /// `accumulateTransposedProduct`) beats this kernel. On LeNet-300-100's fc1 at 90 %
    /// sparsity (AMD EPYC, AVX-512 gathers) scattering every input took 1.25–1.3× this
    /// kernel's time, 0.69× at 60 % non-zero inputs, 0.8–1.0× at 70 %.
    public static let scatterDensity = 0.65
    /// The widest input a 16-bit column index can address.
    public static let maximumColumns = 1 << 16

    public let rows: Int
    public let columns: Int
    /// Non-zeros of the dense matrix (padding excluded).
    public let nonzeroCount: Int
    /// The row computed by lane l of slice s is `rowOrder[8s + l]`; lanes past `rows` in the last slice are unused.
    let rowOrder: [Int32]
    /// Slice s owns the entries 8·sliceStarts[s] ..< 8·sliceStarts[s + 1].
    let sliceStarts: [Int32]
    let columnIndices: [UInt16]
    let values: [Float]

    /// Compresses a dense row-major matrix, dropping its exact zeros. `columns` must not
    /// exceed `maximumColumns` (callers check: SparseLinear refuses wider layers).
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "SlicedEllpackMatrix: \(dense.count) values for \(rows)×\(columns)")
        precondition(columns <= Self.maximumColumns, "SlicedEllpackMatrix: \(columns) columns overflow 16-bit indices")
        let height = Self.sliceHeight
        let (rowColumns, order) = rowsByLength(dense: dense, rows: rows, columns: columns)
        var starts: [Int32] = [0]
        var indices: [UInt16] = []
        var nonzeros: [Float] = []
        for first in stride(from: 0, to: rows, by: height) {
            let lanes = (first..<first + height).map { $0 < rows ? order[$0] : nil }
            let width = lanes.map { $0.map { rowColumns[$0].count } ?? 0 }.max() ?? 0
            for j in 0..<width {
                for lane in lanes {
                    let used = lane.map { rowColumns[$0] } ?? []
                    if let lane, j < used.count {
                        indices.append(UInt16(used[j]))
                        nonzeros.append(dense[lane * columns + used[j]])
                    } else {
                        // Padding: weight 0 at the lane's last column, a cache line already in use.
                        indices.append(UInt16(used.last ?? 0))
                        nonzeros.append(0)
                    }
                }
            }
            starts.append(starts.last! + Int32(width))
        }
        self.rows = rows
        self.columns = columns
        nonzeroCount = rowColumns.reduce(0) { $0 + $1.count }
        rowOrder = order.map { Int32($0) }
        sliceStarts = starts
        columnIndices = indices
        values = nonzeros
    }

    /// Bytes the arrays occupy, padding included: 4 per value, 2 per column index, 4 per row
    /// (its place in the order) and 4 per slice start.
    public var storageBytes: Int { 4 * values.count + 2 * columnIndices.count + 4 * rowOrder.count + 4 * sliceStarts.count }

    /// y = x·Wᵀ + b for `batch` rows: `input` is [batch, columns], `output` [batch, rows],
    /// `bias` [rows] or nil. Spread over threads by slices when the work is large enough to
    /// pay for the dispatch.
    public func linear(input: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let slices = sliceStarts.count - 1
        guard slices > 0 else { return }
        rowOrder.withUnsafeBufferPointer { order in
            sliceStarts.withUnsafeBufferPointer { starts in
                columnIndices.withUnsafeBufferPointer { indices in
                    values.withUnsafeBufferPointer { nonzeros in
                        let layout = SliceLayout(rows: rows, order: order.baseAddress!, starts: starts.baseAddress!,
                                                 columns: indices.baseAddress, values: nonzeros.baseAddress)
                        Parallel.forRanges(slices, minimumChunk: minimumSlicesPerThread(slices: slices, slots: values.count, batch: batch)) { sliceRange in
                            for b in 0..<batch {
                                layout.multiply(sliceRange, input + b * columns, bias, output + b * rows)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The arrays of a `SlicedEllpackMatrix` as pointers, for the inner loop.
private struct SliceLayout {
    let rows: Int
    let order: UnsafePointer<Int32>
    let starts: UnsafePointer<Int32>
    let columns: UnsafePointer<UInt16>?
    let values: UnsafePointer<Float>?

    /// y[row] = bias[row] + Σ_j values · x[columns] for the rows of the slices in `range`.
    @inline(__always)
    func multiply(_ range: Range<Int>, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let height = SlicedEllpackMatrix.sliceHeight
        for slice in range {
            var sums = SIMD8<Float>()
            if let c = columns, let v = values {
                // The gathers are independent; one accumulator keeps up with them.
                for k in stride(from: Int(starts[slice]) * height, to: Int(starts[slice + 1]) * height, by: height) {
                    let gathered = SIMD8<Float>(x[Int(c[k])], x[Int(c[k + 1])], x[Int(c[k + 2])], x[Int(c[k + 3])],
                                                x[Int(c[k + 4])], x[Int(c[k + 5])], x[Int(c[k + 6])], x[Int(c[k + 7])])
                    sums.addProduct(UnsafeRawPointer(v + k).loadUnaligned(as: SIMD8<Float>.self), gathered)
                }
            }
            storeSlice(sums, slice, rows: rows, order: order, bias: bias, y)
        }
    }
}
