#if SWIFTLET_AVX2
import _Builtin_intrinsics.intel

/// A sparse matrix laid out for y = x·Wᵀ + b with AVX2 register permutes instead of gathers:
/// the sparse Linear's kernel on AVX2 + FMA CPUs without AVX-512 (see `SparseProductMatrix`).
///
/// AVX2's gather cannot be called from Swift (a C macro), and building the eight inputs of
/// `SlicedEllpackMatrix` from scalar loads costs seven shuffles per eight non-zeros (about
/// one cycle per non-zero). Here one `vpermps` picks eight inputs out of an 8-column window
/// of x, read straight from memory. Rows are sorted by length and taken eight at a time; each
/// step of a slice is a window (its first column, 16 bits), the eight lanes' offsets in it (a
/// 4-bit nibble each) and eight weights. The windows are placed greedily: each starts at the
/// smallest column some lane still has to take, and every lane takes its next non-zero if it
/// lies inside. On a random 300×784 matrix at 90 % sparsity (LeNet-300-100's fc1) that is 2.05
/// weight slots per non-zero (blocks aligned to multiples of 8 would need 2.6); a step is four
/// instructions (window index, shift, permute, FMA), 0.8 ns on the loaded 2-vCPU Xeon with the
/// matrix in L2 — about 0.2 ns per non-zero.
///
/// The nibbles of eight consecutive steps share one 32-bit word per lane, so a slice's steps
/// are padded to a multiple of eight (zero weights); the kernel loads the words once and
/// shifts them by 4 each step (`vpermps` reads only the low three bits of each index).
/// Windows start at most 65,528, so at most 65,536 columns.
public struct WindowedEllpackMatrix: Equatable {
    /// Rows per slice: one 8-wide vector of outputs.
    public static let sliceHeight = 8
    /// Columns a window spans: the one register a permute selects from.
    public static let windowWidth = 8
    /// Below this fraction of non-zero inputs, scattering them along Wᵀ (CSRMatrix's
    /// `accumulateTransposedProduct`) beats this kernel. At 10 / 20 / 30 / 40 / 50 % non-zero
    /// inputs scattering took 0.3–0.4 / 0.65–0.7 / 0.96–0.98 / 1.25–1.28 / 1.46–1.58× this
    /// kernel's time on a random 300×784 matrix at 90 % sparsity (LeNet-300-100's fc1), and
    /// 0.6 / 0.8–1.1 / 1.2–1.4 / 1.5 / 1.9–2.0× on 100×300 (fc2): Intel Xeon, haswell build.
    public static let scatterDensity = 0.25
    /// The widest input a 16-bit window start can address.
    public static let maximumColumns = 1 << 16

    public let rows: Int
    public let columns: Int
    /// Non-zeros of the dense matrix (padding excluded).
    public let nonzeroCount: Int
    /// The row computed by lane l of slice s is `rowOrder[8s + l]`.
    let rowOrder: [Int32]
    /// Slice s owns the steps sliceStarts[s] ..< sliceStarts[s + 1] (multiples of 8).
    let sliceStarts: [Int32]
    /// Per step, the first column of its window.
    let windowStarts: [UInt16]
    /// Per group of eight steps, one word per lane: nibble j is the lane's offset in step j's window.
    let laneOffsets: [UInt32]
    /// Per step, the eight lanes' weights (0 where a lane takes nothing).
    let values: [Float]

    /// Compresses a dense row-major matrix, dropping its exact zeros. `columns` must not
    /// exceed `maximumColumns` (callers check: SparseLinear refuses wider layers).
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "WindowedEllpackMatrix: \(dense.count) values for \(rows)×\(columns)")
        precondition(columns <= Self.maximumColumns, "WindowedEllpackMatrix: \(columns) columns overflow 16-bit window starts")
        let (height, width) = (Self.sliceHeight, Self.windowWidth)
        let (rowColumns, order) = rowsByLength(dense: dense, rows: rows, columns: columns)
        var starts: [Int32] = [0]
        var windows: [UInt16] = []
        var offsets: [UInt32] = []
        var nonzeros: [Float] = []
        for first in stride(from: 0, to: rows, by: height) {
            let lanes = (first..<first + height).map { $0 < rows ? rowColumns[order[$0]] : [] }
            let laneRows = (first..<first + height).map { $0 < rows ? order[$0] : 0 }
            var next = [Int](repeating: 0, count: height)
            var steps = 0
            while true {
                let heads = (0..<height).compactMap { next[$0] < lanes[$0].count ? lanes[$0][next[$0]] : nil }
                // Padding steps (weight 0) complete the last group of eight.
                guard let smallest = heads.min() ?? (steps % 8 == 0 ? nil : 0) else { break }
                // Inside the matrix when it is at least a window wide (else the kernel pads x).
                let window = max(0, min(smallest, columns - width))
                if steps % 8 == 0 { offsets += [UInt32](repeating: 0, count: height) }
                for lane in 0..<height {
                    if next[lane] < lanes[lane].count, lanes[lane][next[lane]] < window + width {
                        let column = lanes[lane][next[lane]]
                        offsets[offsets.count - height + lane] |= UInt32(column - window) << (4 * (steps % 8))
                        nonzeros.append(dense[laneRows[lane] * columns + column])
                        next[lane] += 1
                    } else {
                        nonzeros.append(0)
                    }
                }
                windows.append(UInt16(window))
                steps += 1
            }
            starts.append(starts.last! + Int32(steps))
        }
        self.rows = rows
        self.columns = columns
        nonzeroCount = rowColumns.reduce(0) { $0 + $1.count }
        rowOrder = order.map { Int32($0) }
        sliceStarts = starts
        windowStarts = windows
        laneOffsets = offsets
        values = nonzeros
    }

    /// Bytes the arrays occupy, padding included: 4 per weight slot, 2 per window start, 4 per
    /// lane word (one per eight slots), 4 per row (its place in the order) and 4 per slice start.
    public var storageBytes: Int {
        4 * values.count + 2 * windowStarts.count + 4 * laneOffsets.count + 4 * rowOrder.count + 4 * sliceStarts.count
    }

    /// y = x·Wᵀ + b for `batch` rows: `input` is [batch, columns], `output` [batch, rows],
    /// `bias` [rows] or nil. Spread over threads by slices when the work is large enough to
    /// pay for the dispatch.
    public func linear(input: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let slices = sliceStarts.count - 1
        guard slices > 0 else { return }
        rowOrder.withUnsafeBufferPointer { order in
            sliceStarts.withUnsafeBufferPointer { starts in
                windowStarts.withUnsafeBufferPointer { windows in
                    laneOffsets.withUnsafeBufferPointer { offsets in
                        values.withUnsafeBufferPointer { nonzeros in
                            let layout = WindowLayout(rows: rows, order: order.baseAddress!, starts: starts.baseAddress!,
                                                      windows: windows.baseAddress, offsets: offsets.baseAddress, values: nonzeros.baseAddress)
                            Parallel.forRanges(slices, minimumChunk: minimumSlicesPerThread(slices: slices, slots: values.count, batch: batch)) { sliceRange in
                                for b in 0..<batch {
                                    let x = input + b * columns, y = output + b * rows
                                    guard columns < Self.windowWidth else { layout.multiply(sliceRange, x, bias, y); continue }
                                    // A window reads eight inputs: a narrower x is copied, zero-padded.
                                    var padded = SIMD8<Float>()
                                    for c in 0..<columns { padded[c] = x[c] }
                                    withUnsafeBytes(of: &padded) { layout.multiply(sliceRange, $0.baseAddress!.assumingMemoryBound(to: Float.self), bias, y) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The arrays of a `WindowedEllpackMatrix` as pointers, for the inner loop.
private struct WindowLayout {
    let rows: Int
    let order: UnsafePointer<Int32>
    let starts: UnsafePointer<Int32>
    let windows: UnsafePointer<UInt16>?
    let offsets: UnsafePointer<UInt32>?
    let values: UnsafePointer<Float>?

    /// y[row] = bias[row] + Σ values · x[window + offset] for the rows of the slices in `range`.
    @inline(__always)
    func multiply(_ range: Range<Int>, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let height = WindowedEllpackMatrix.sliceHeight
        for slice in range {
            // Four accumulators: the FMA's latency is four steps of this loop.
            var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            if let w = windows, let o = offsets, let v = values {
                /// sum += the step's weights · the inputs its lanes' nibbles pick out of its window.
                @inline(__always)
                func step(_ sum: inout SIMD8<Float>, _ k: Int, _ lanes: SIMD8<UInt32>) {
                    let window = UnsafeRawPointer(x + Int(w[k])).loadUnaligned(as: SIMD8<Float>.self)
                    sum.addProduct(UnsafeRawPointer(v + k * height).loadUnaligned(as: SIMD8<Float>.self),
                                   _mm256_permutevar8x32_ps(window, unsafeBitCast(lanes, to: __m256i.self)))
                }
                for group in stride(from: Int(starts[slice]), to: Int(starts[slice + 1]), by: 8) {
                    var lanes = UnsafeRawPointer(o + group).loadUnaligned(as: SIMD8<UInt32>.self)
                    for pair in stride(from: group, to: group + 8, by: 4) {
                        step(&sums.0, pair, lanes)
                        step(&sums.1, pair + 1, lanes &>> 4)
                        step(&sums.2, pair + 2, lanes &>> 8)
                        step(&sums.3, pair + 3, lanes &>> 12)
                        lanes &>>= 16
                    }
                }
            }
            let total = (sums.0 + sums.1) + (sums.2 + sums.3)
            storeSlice(total, slice, rows: rows, order: order, bias: bias, y)
        }
    }
}
#endif
