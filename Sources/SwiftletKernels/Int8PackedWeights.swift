/// Int8 weights [rows, depth] prepared once for repeated products C = A·Wᵀ with int8
/// activations A (`multiply`): on CPUs with AVX-512 VNNI (Package.swift defines
/// SWIFTLET_AVX512_VNNI) they are packed for the register-tiled `vpdpbusd` kernel
/// (`int8VNNIProduct`); elsewhere `multiply` is the portable `int8GEMM`. Both give the
/// same, exact int32 sums.
public struct Int8PackedWeights {
    /// Depths below this keep every int32 sum exact: |products| ≤ 2¹⁴ (the unsigned shift
    /// wraps in int32 and is taken back off, which leaves the exact sum).
    public static let depthLimit = 1 << 17

    public let rows: Int
    public let depth: Int
    #if SWIFTLET_AVX512_VNNI
    /// Panels of 16 rows; within a panel, for each group of 4 depths, 16 × 4 bytes (row-major:
    /// one 4-byte group per row) — what one `vpdpbusd` multiplies. Missing rows and depths are 0.
    let panels: [Int8]
    /// 128 · Σₚ W[j][p] per row (padded to whole panels): the kernel multiplies activations
    /// shifted to unsigned bytes (a + 128) and takes this back off.
    let shiftCorrections: [Int32]
    /// 0, 4, 8, … for the whole groups of 4 in a contiguous row.
    let contiguousOffsets: [Int]
    #else
    /// The rows as given, contiguous: the portable kernel's operand.
    let codes: [Int8]
    #endif

    /// Copies `rows` rows of `depth` codes from `weights` (row stride `ldw`).
    public init(_ weights: UnsafePointer<Int8>, rows: Int, depth: Int, ldw: Int) {
        precondition(depth < Self.depthLimit, "Int8PackedWeights: depth \(depth) could overflow the int32 sums")
        self.rows = rows
        self.depth = depth
        #if SWIFTLET_AVX512_VNNI
        let width = int8PanelWidth, groups = (depth + 3) / 4
        let panelCount = (rows + width - 1) / width
        var panels = [Int8](repeating: 0, count: panelCount * groups * width * 4)
        var corrections = [Int32](repeating: 0, count: panelCount * width)
        for j in 0..<rows {
            let panel = j / width, lane = j % width
            for p in 0..<depth {
                let code = weights[j * ldw + p]
                panels[((panel * groups + p / 4) * width + lane) * 4 + p % 4] = code
                corrections[j] += 128 * Int32(code)
            }
        }
        self.panels = panels
        shiftCorrections = corrections
        contiguousOffsets = (0..<depth / 4).map { 4 * $0 }
        #else
        codes = (0..<rows).flatMap { UnsafeBufferPointer(start: weights + $0 * ldw, count: depth) }
        #endif
    }

    /// C[i][j] = Σₚ A[i][p]·W[j][p] for A m×depth (row stride `lda`), C m×rows (row stride
    /// `ldc`). Single-threaded: callers split m.
    public func multiply(m: Int, a: UnsafePointer<Int8>, lda: Int, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        #if SWIFTLET_AVX512_VNNI
        contiguousOffsets.withUnsafeBufferPointer { offsets in
            multiply(m: m, row: { a + $0 * lda }, groupOffsets: offsets, tailLength: depth % 4, c: c, ldc: ldc)
        }
        #else
        codes.withUnsafeBufferPointer { w in
            int8GEMM(m: m, n: rows, k: depth, a: a, lda: lda, b: w.baseAddress!, ldb: depth, c: c, ldc: ldc)
        }
        #endif
    }

    #if SWIFTLET_AVX512_VNNI
    /// C[i][j] = Σ_q Σ_b A(i, q, b)·W[j][4q + b] where A(i, q, ·) are the 4 bytes at
    /// row(i) + groupOffsets[q] (see `int8VNNIProduct`); the depth is 4·groups + tailLength.
    @inline(__always)
    func multiply(m: Int, row: (Int) -> UnsafePointer<Int8>, groupOffsets: UnsafeBufferPointer<Int>, tailLength: Int,
                  c: UnsafeMutablePointer<Int32>, ldc: Int) {
        precondition(4 * groupOffsets.count + tailLength == depth, "Int8PackedWeights: \(groupOffsets.count) groups + \(tailLength) for depth \(depth)")
        panels.withUnsafeBufferPointer { panels in
            shiftCorrections.withUnsafeBufferPointer { corrections in
                int8VNNIProduct(m: m, n: rows, row: row, groupOffsets: groupOffsets, tailLength: tailLength,
                                panels: panels.baseAddress!, corrections: corrections.baseAddress!, c: c, ldc: ldc)
            }
        }
    }
    #endif
}
