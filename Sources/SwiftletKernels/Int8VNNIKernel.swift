#if SWIFTLET_AVX512_VNNI
import _Builtin_intrinsics.intel

/// Output rows per micro-kernel tile.
let int8TileRows = 8
/// Output columns per weight panel: one 16-lane int32 register.
let int8PanelWidth = 16

/// C = A·Wᵀ with `Int8PackedWeights`' panels: tiles of 8 rows × 32 columns (16 when one
/// panel is left) accumulated in registers, each step broadcasting 4 bytes of each A row and
/// multiplying them with a panel's 16 × 4 weight bytes in one `vpdpbusd` (4 multiply-adds
/// per lane). `vpdpbusd` takes unsigned × signed bytes, so A's codes are shifted by 128 (an
/// xor of the sign bit) and 128·Σw is subtracted at the end: exact, as every int32 sum is.
///
/// A is addressed through `row(i)` and `groupOffsets`: group q of row i is the 4 bytes at
/// row(i) + groupOffsets[q] — contiguous for a matrix, scattered over the image for a direct
/// convolution — then `tailLength` < 4 bytes at row(i) + 4·groupOffsets.count (zero-filled).
func int8VNNIProduct(
    m: Int, n: Int, row: (Int) -> UnsafePointer<Int8>, groupOffsets: UnsafeBufferPointer<Int>, tailLength: Int,
    panels: UnsafePointer<Int8>, corrections: UnsafePointer<Int32>,
    c: UnsafeMutablePointer<Int32>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    let panelCount = (n + int8PanelWidth - 1) / int8PanelWidth
    let panelStride = (groupOffsets.count + (tailLength > 0 ? 1 : 0)) * int8PanelWidth * 4
    for firstRow in stride(from: 0, to: m, by: int8TileRows) {
        let rows = Int8TileRows(count: min(int8TileRows, m - firstRow)) { row(firstRow + $0) }
        let output = c + firstRow * ldc
        var panel = 0
        while panel + 1 < panelCount {
            var low = Int8AccumulatorTile(), high = Int8AccumulatorTile()
            var w0 = panels + panel * panelStride, w1 = w0 + panelStride
            rows.forEachGroup(groupOffsets, tailLength: tailLength) { x in
                low.add(x, _mm512_loadu_si512(w0))
                high.add(x, _mm512_loadu_si512(w1))
                w0 += 4 * int8PanelWidth
                w1 += 4 * int8PanelWidth
            }
            low.store(rows.count, output, ldc: ldc, column: panel * int8PanelWidth, n: n, corrections: corrections)
            high.store(rows.count, output, ldc: ldc, column: (panel + 1) * int8PanelWidth, n: n, corrections: corrections)
            panel += 2
        }
        if panel < panelCount {
            var sums = Int8AccumulatorTile()
            var w = panels + panel * panelStride
            rows.forEachGroup(groupOffsets, tailLength: tailLength) { x in
                sums.add(x, _mm512_loadu_si512(w))
                w += 4 * int8PanelWidth
            }
            sums.store(rows.count, output, ldc: ldc, column: panel * int8PanelWidth, n: n, corrections: corrections)
        }
    }
}

/// The 8 A rows of a tile; rows past `count` repeat the last one (computed, not stored) so
/// the register tile keeps a fixed shape.
private struct Int8TileRows {
    let count: Int
    let p0, p1, p2, p3, p4, p5, p6, p7: UnsafePointer<Int8>

    @inline(__always)
    init(count: Int, _ address: (Int) -> UnsafePointer<Int8>) {
        self.count = count
        func row(_ r: Int) -> UnsafePointer<Int8> { address(min(r, count - 1)) }
        (p0, p1, p2, p3, p4, p5, p6, p7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    }

    /// Calls `body` with the broadcast unsigned codes of each group of 4 bytes, then of the
    /// zero-filled tail (its weights are zero past the depth too).
    @inline(__always)
    func forEachGroup(_ groupOffsets: UnsafeBufferPointer<Int>, tailLength: Int, _ body: (Int8Broadcasts) -> Void) {
        for offset in groupOffsets {
            body(Int8Broadcasts(self) { UnsafeRawPointer($0 + offset).loadUnaligned(as: UInt32.self) })
        }
        guard tailLength > 0 else { return }
        let start = 4 * groupOffsets.count
        body(Int8Broadcasts(self) { row in
            (0..<tailLength).reduce(UInt32(0)) { $0 | UInt32(UInt8(bitPattern: row[start + $1])) << (8 * $1) }
        })
    }
}

/// One group of 4 codes of each tile row, in every lane and shifted to unsigned bytes.
private struct Int8Broadcasts {
    let x0, x1, x2, x3, x4, x5, x6, x7: __m512i

    @inline(__always)
    init(_ rows: Int8TileRows, _ word: (UnsafePointer<Int8>) -> UInt32) {
        func broadcast(_ row: UnsafePointer<Int8>) -> __m512i {
            _mm512_set1_epi32(Int32(bitPattern: word(row) ^ 0x8080_8080))
        }
        (x0, x1, x2, x3) = (broadcast(rows.p0), broadcast(rows.p1), broadcast(rows.p2), broadcast(rows.p3))
        (x4, x5, x6, x7) = (broadcast(rows.p4), broadcast(rows.p5), broadcast(rows.p6), broadcast(rows.p7))
    }
}

/// Eight int32 accumulator registers, one per tile row; separate stored properties so that
/// they live in registers.
private struct Int8AccumulatorTile {
    var r0 = _mm512_setzero_si512(), r1 = _mm512_setzero_si512(), r2 = _mm512_setzero_si512(), r3 = _mm512_setzero_si512()
    var r4 = _mm512_setzero_si512(), r5 = _mm512_setzero_si512(), r6 = _mm512_setzero_si512(), r7 = _mm512_setzero_si512()

    /// Row r += 4-byte dot products of its broadcast codes with the 16 weight groups `w`.
    @inline(__always)
    mutating func add(_ x: Int8Broadcasts, _ w: __m512i) {
        r0 = _mm512_dpbusd_epi32(r0, x.x0, w)
        r1 = _mm512_dpbusd_epi32(r1, x.x1, w)
        r2 = _mm512_dpbusd_epi32(r2, x.x2, w)
        r3 = _mm512_dpbusd_epi32(r3, x.x3, w)
        r4 = _mm512_dpbusd_epi32(r4, x.x4, w)
        r5 = _mm512_dpbusd_epi32(r5, x.x5, w)
        r6 = _mm512_dpbusd_epi32(r6, x.x6, w)
        r7 = _mm512_dpbusd_epi32(r7, x.x7, w)
    }

    /// Writes the first `rows` rows minus the shift correction to columns column..<column+16
    /// (fewer at n).
    @inline(__always)
    func store(_ rows: Int, _ c: UnsafeMutablePointer<Int32>, ldc: Int, column: Int, n: Int, corrections: UnsafePointer<Int32>) {
        let correction = _mm512_loadu_si512(corrections + column)
        let mask = __mmask16(truncatingIfNeeded: (1 << min(int8PanelWidth, n - column)) - 1)
        func put(_ r: Int, _ sums: __m512i) {
            if r < rows { _mm512_mask_storeu_epi32(c + r * ldc + column, mask, _mm512_sub_epi32(sums, correction)) }
        }
        put(0, r0); put(1, r1); put(2, r2); put(3, r3); put(4, r4); put(5, r5); put(6, r6); put(7, r7)
    }
}
#endif
