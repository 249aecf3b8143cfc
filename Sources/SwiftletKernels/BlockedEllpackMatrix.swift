#if SWIFTLET_AVX512
import _Builtin_intrinsics.intel

/// A sparse matrix laid out for y = x·Wᵀ + b with AVX-512 register permutes instead of
/// gathers: the sparse Linear's kernel on CPUs with AVX-512 (see `SparseProductMatrix`).
///
/// On such a CPU (this project's AMD EPYC) an 8-wide gather costs about as much as eight
/// scalar loads, so `SlicedEllpackMatrix` spends ~0.6 cycles per non-zero. Here the columns
/// are cut into blocks of 32: a block of x fits in two 16-float registers, and one
/// `vpermt2ps` picks sixteen inputs out of it in a cycle or so. Rows are sorted by length and
/// taken sixteen at a time; for each (slice, block) the slice stores `width` steps of 16
/// values and 16 one-byte column offsets, where `width` is the most non-zeros any of its
/// rows has in that block (shorter rows padded with zero weights). At 90 % sparsity about
/// half the slots are padding, and it is still 2.5–3× faster than the gathering kernel.
public struct BlockedEllpackMatrix: Equatable {
    /// Rows per slice: one 16-wide vector of outputs.
    public static let sliceHeight = 16
    /// Columns per block: the two registers a permute selects from.
    public static let blockWidth = 32
    /// Below this fraction of non-zero inputs, scattering them along Wᵀ (CSRMatrix's
    /// `accumulateTransposedProduct`) beats this kernel. At 5 / 10 / 15 / 20 / 25 % non-zero
    /// inputs scattering took 0.43 / 0.57 / 0.71 / 0.87 / 1.04× this kernel's time on
    /// LeNet-300-100's fc2 at 90 % sparsity, and 0.2–0.3 / 0.2 / 0.4–0.7 / 1.0–1.8× on fc1.
    public static let scatterDensity = 0.2
    /// One-byte offsets within a block address any number of columns.
    public static let maximumColumns = Int.max

    public let rows: Int
    public let columns: Int
    /// Non-zeros of the dense matrix (padding excluded).
    public let nonzeroCount: Int
    /// The row computed by lane l of slice s is `rowOrder[16s + l]`.
    let rowOrder: [Int32]
    /// Steps of (slice s, block b) at `stepCounts[s · blocks + b]`, stored one after another.
    let stepCounts: [Int32]
    /// The first step of slice s, so threads can begin mid-matrix.
    let sliceStarts: [Int32]
    /// Per step, 16 column offsets within the block and the 16 matching weights.
    let columnOffsets: [UInt8]
    let values: [Float]

    var blocks: Int { (columns + Self.blockWidth - 1) / Self.blockWidth }

    /// Compresses a dense row-major matrix, dropping its exact zeros.
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "BlockedEllpackMatrix: \(dense.count) values for \(rows)×\(columns)")
        let (height, width) = (Self.sliceHeight, Self.blockWidth)
        let (rowColumns, order) = rowsByLength(dense: dense, rows: rows, columns: columns)
        var counts: [Int32] = []
        var starts: [Int32] = [0]
        var offsets: [UInt8] = []
        var nonzeros: [Float] = []
        for first in stride(from: 0, to: rows, by: height) {
            let lanes = (first..<first + height).map { $0 < rows ? order[$0] : nil }
            for block in stride(from: 0, to: columns, by: width) {
                let inBlock = lanes.map { lane in lane.map { rowColumns[$0].filter { (block..<block + width).contains($0) } } ?? [] }
                let steps = inBlock.map(\.count).max() ?? 0
                for j in 0..<steps {
                    for (lane, used) in zip(lanes, inBlock) {
                        if let lane, j < used.count {
                            offsets.append(UInt8(used[j] - block))
                            nonzeros.append(dense[lane * columns + used[j]])
                        } else {
                            offsets.append(0)
                            nonzeros.append(0)
                        }
                    }
                }
                counts.append(Int32(steps))
            }
            starts.append(Int32(nonzeros.count / height))
        }
        self.rows = rows
        self.columns = columns
        nonzeroCount = rowColumns.reduce(0) { $0 + $1.count }
        rowOrder = order.map { Int32($0) }
        stepCounts = counts
        sliceStarts = starts
        columnOffsets = offsets
        values = nonzeros
    }

    /// Bytes the arrays occupy, padding included: 4 per value slot, 1 per offset, 4 per row
    /// (its place in the order), 4 per (slice, block) step count and 4 per slice start.
    public var storageBytes: Int {
        4 * values.count + columnOffsets.count + 4 * rowOrder.count + 4 * stepCounts.count + 4 * sliceStarts.count
    }

    /// y = x·Wᵀ + b for `batch` rows: `input` is [batch, columns], `output` [batch, rows],
    /// `bias` [rows] or nil. Spread over threads by slices when the work is large enough to
    /// pay for the dispatch.
    public func linear(input: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let slices = (rows + Self.sliceHeight - 1) / Self.sliceHeight
        guard slices > 0, columns > 0 else {
            for b in 0..<batch { for r in 0..<rows { output[b * rows + r] = bias?[r] ?? 0 } }
            return
        }
        rowOrder.withUnsafeBufferPointer { order in
            stepCounts.withUnsafeBufferPointer { counts in
                columnOffsets.withUnsafeBufferPointer { offsets in
                    values.withUnsafeBufferPointer { nonzeros in
                        let layout = BlockLayout(rows: rows, columns: columns, blocks: blocks, order: order.baseAddress!,
                                                 counts: counts.baseAddress!, offsets: offsets.baseAddress, values: nonzeros.baseAddress)
                        Parallel.forRanges(slices, minimumChunk: minimumSlicesPerThread(slices: slices, slots: values.count, batch: batch)) { sliceRange in
                            for b in 0..<batch {
                                layout.multiply(sliceRange, firstStep: Int(sliceStarts[sliceRange.lowerBound]),
                                                input + b * columns, bias, output + b * rows)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The arrays of a `BlockedEllpackMatrix` as pointers, for the inner loop.
private struct BlockLayout {
    let rows: Int
    let columns: Int
    let blocks: Int
    let order: UnsafePointer<Int32>
    let counts: UnsafePointer<Int32>
    let offsets: UnsafePointer<UInt8>?
    let values: UnsafePointer<Float>?

    /// y[row] = bias[row] + Σ values · x[block + offset] for the rows of the slices in `range`,
    /// whose steps begin at `firstStep`.
    @inline(__always)
    func multiply(_ range: Range<Int>, firstStep: Int, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                  _ y: UnsafeMutablePointer<Float>) {
        let (height, width) = (BlockedEllpackMatrix.sliceHeight, BlockedEllpackMatrix.blockWidth)
        // The last block may be partial: its inputs are copied into a zero-padded pair of registers once.
        let lastBlock = blocks - 1
        var tail = (SIMD16<Float>(), SIMD16<Float>())
        for c in lastBlock * width..<columns {
            let i = c - lastBlock * width
            if i < 16 { tail.0[i] = x[c] } else { tail.1[i - 16] = x[c] }
        }
        var k = firstStep * height
        for slice in range {
            // Two accumulators: one would wait on the previous FMA (4 cycles) at every step.
            var sums = (SIMD16<Float>(), SIMD16<Float>())
            if let o = offsets, let v = values {
                /// sum += the step's weights · the inputs its offsets pick out of `table`.
                func step(_ sum: inout SIMD16<Float>, _ table: (SIMD16<Float>, SIMD16<Float>)) {
                    let lanes = _mm512_cvtepu8_epi32(UnsafeRawPointer(o + k).loadUnaligned(as: __m128i.self))
                    sum.addProduct(UnsafeRawPointer(v + k).loadUnaligned(as: SIMD16<Float>.self),
                                   _mm512_permutex2var_ps(table.0, lanes, table.1))
                    k += height
                }
                for block in 0..<blocks {
                    let table = block == lastBlock ? tail
                        : (UnsafeRawPointer(x + block * width).loadUnaligned(as: SIMD16<Float>.self),
                           UnsafeRawPointer(x + block * width + 16).loadUnaligned(as: SIMD16<Float>.self))
                    var steps = Int(counts[slice * blocks + block])
                    while steps >= 2 {
                        step(&sums.0, table)
                        step(&sums.1, table)
                        steps -= 2
                    }
                    if steps == 1 { step(&sums.0, table) }
                }
            }
            let total = sums.0 + sums.1
            storeSlice(total, slice, rows: rows, order: order, bias: bias, y)
        }
    }
}
#endif
