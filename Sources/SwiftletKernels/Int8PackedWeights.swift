/// Int8 weights [rows, depth] prepared once for repeated products C = A·Wᵀ with int8
/// activations A (`multiply`): on CPUs with AVX-512 VNNI (Package.swift defines
/// SWIFTLET_AVX512_VNNI) they are packed for the register-tiled `vpdpbusd` kernel
/// (`int8VNNIProduct`), on AVX2 without VNNI (SWIFTLET_AVX2) widened to int16 pairs for the
/// register-tiled `vpmaddwd` kernel (`int8AVX2Product`); elsewhere `multiply` is the
/// portable `int8GEMM`. All give the same, exact int32 sums.
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
    #elseif SWIFTLET_AVX2
    /// Panels of 8 rows; within a panel, for each pair of depths, 8 × 2 int16 codes (one pair
    /// per row) — what one `vpmaddwd` multiplies. Missing rows and depths are 0.
    let panels: [Int16]
    /// 0, 2, 4, … for the pairs of a contiguous widened row (an odd depth's last pair is
    /// completed with a zero when the row is widened).
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
        panels = Self.panels(weights, rows: rows, depth: depth, ldw: ldw, width: int8PanelWidth, group: 4, as: Int8.self)
        var corrections = [Int32](repeating: 0, count: (rows + int8PanelWidth - 1) / int8PanelWidth * int8PanelWidth)
        for j in 0..<rows { for p in 0..<depth { corrections[j] += 128 * Int32(weights[j * ldw + p]) } }
        shiftCorrections = corrections
        contiguousOffsets = (0..<depth / 4).map { 4 * $0 }
        #elseif SWIFTLET_AVX2
        panels = Self.panels(weights, rows: rows, depth: depth, ldw: ldw, width: int8AVX2PanelWidth, group: 2, as: Int16.self)
        contiguousOffsets = (0..<(depth + 1) / 2).map { 2 * $0 }
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
        #elseif SWIFTLET_AVX2
        // Each tile's rows are widened to int16 once, into a buffer that stays in L1 while
        // the tile runs over every panel.
        let rowLength = 2 * contiguousOffsets.count
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: int8AVX2TileRows * rowLength) { buffer in
            let widened = buffer.baseAddress!
            for first in stride(from: 0, to: m, by: int8AVX2TileRows) {
                let count = min(int8AVX2TileRows, m - first)
                for r in 0..<count {
                    let source = a + (first + r) * lda, target = widened + r * rowLength
                    for p in 0..<depth { target[p] = Int16(source[p]) }
                    if depth < rowLength { target[depth] = 0 }
                }
                multiply(m: count, row: { UnsafePointer(widened + $0 * rowLength) }, pairOffsets: contiguousOffsets, c: c + first * ldc, ldc: ldc)
            }
        }
        #else
        codes.withUnsafeBufferPointer { w in
            int8GEMM(m: m, n: rows, k: depth, a: a, lda: lda, b: w.baseAddress!, ldb: depth, c: c, ldc: ldc)
        }
        #endif
    }

    #if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
    /// The rows cut into panels of `width` rows; within a panel, for each group of `group`
    /// depths, `width` × `group` codes (row-major: one group per row), zero past the rows and
    /// the depth — one register of weights for the kernel's multiply instruction.
    private static func panels<Code: FixedWidthInteger>(
        _ weights: UnsafePointer<Int8>, rows: Int, depth: Int, ldw: Int, width: Int, group: Int, as: Code.Type
    ) -> [Code] {
        let groups = (depth + group - 1) / group, panelCount = (rows + width - 1) / width
        var panels = [Code](repeating: 0, count: panelCount * groups * width * group)
        for j in 0..<rows {
            let panel = j / width, lane = j % width
            for p in 0..<depth { panels[((panel * groups + p / group) * width + lane) * group + p % group] = Code(weights[j * ldw + p]) }
        }
        return panels
    }
    #endif

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
    #elseif SWIFTLET_AVX2
    /// C[i][j] = Σ_q Σ_b A(i, q, b)·W[j][2q + b] where A(i, q, ·) are the two int16 codes at
    /// row(i) + pairOffsets[q] (see `int8AVX2Product`); the depth is 2·pairOffsets.count,
    /// the last pair's second weight zero when the depth is odd.
    @inline(__always)
    func multiply(m: Int, row: (Int) -> UnsafePointer<Int16>, pairOffsets: [Int], c: UnsafeMutablePointer<Int32>, ldc: Int) {
        precondition(pairOffsets.count == (depth + 1) / 2, "Int8PackedWeights: \(pairOffsets.count) pairs for depth \(depth)")
        panels.withUnsafeBufferPointer { panels in
            pairOffsets.withUnsafeBufferPointer { offsets in
                int8AVX2Product(m: m, n: rows, row: row, pairOffsets: offsets, panels: panels.baseAddress!, c: c, ldc: ldc)
            }
        }
    }
    #endif
}
