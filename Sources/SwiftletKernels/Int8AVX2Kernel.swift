#if SWIFTLET_AVX2 && !SWIFTLET_AVX512_VNNI
import _Builtin_intrinsics.intel

/// Output rows per AVX2 micro-kernel tile: 6 rows × 2 panels of accumulators, 2 weight
/// registers, a broadcast and a product fill the 16 ymm registers.
let int8AVX2TileRows = 6
/// Output columns per AVX2 weight panel: one 8-lane int32 register.
let int8AVX2PanelWidth = 8

/// C = A·Wᵀ on AVX2 without VNNI, exact by construction: the int8 codes are widened to int16
/// and multiplied in pairs with `vpmaddwd` (two 16-bit products summed into each int32 lane,
/// |sum| ≤ 2¹⁵, no saturation) — unlike `vpmaddubsw`, whose int16 pair sums saturate for
/// unsigned × signed bytes. Tiles of 6 rows × 16 columns (8 when one panel is left) are
/// accumulated in registers; each step broadcasts one int16 pair of a row (a 4-byte load)
/// and multiplies it with a panel's 8 × 2 weights.
///
/// A is addressed through `row(i)` and `pairOffsets`: pair q of row i is the two int16 codes
/// at row(i) + pairOffsets[q] — contiguous for a matrix, scattered over the image for a
/// direct convolution. `panels` holds `Int8PackedWeights`' int16 panels of as many pairs.
func int8AVX2Product(
    m: Int, n: Int, row: (Int) -> UnsafePointer<Int16>, pairOffsets: UnsafeBufferPointer<Int>,
    panels: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    let panelCount = (n + int8AVX2PanelWidth - 1) / int8AVX2PanelWidth
    let panelStride = pairOffsets.count * int8AVX2PanelWidth * 2
    for firstRow in stride(from: 0, to: m, by: int8AVX2TileRows) {
        let rows = Int8AVX2TileRows(count: min(int8AVX2TileRows, m - firstRow)) { row(firstRow + $0) }
        let output = c + firstRow * ldc
        var panel = 0
        while panel + 1 < panelCount {
            var low = Int8AVX2AccumulatorTile(), high = Int8AVX2AccumulatorTile()
            var w = panels + panel * panelStride
            for offset in pairOffsets {
                Int8AVX2AccumulatorTile.add(rows, offset, &low, loadVector(w), &high, loadVector(w + panelStride))
                w += 2 * int8AVX2PanelWidth
            }
            low.store(rows.count, output, ldc: ldc, column: panel * int8AVX2PanelWidth, n: n)
            high.store(rows.count, output, ldc: ldc, column: (panel + 1) * int8AVX2PanelWidth, n: n)
            panel += 2
        }
        if panel < panelCount {
            var sums = Int8AVX2AccumulatorTile()
            var w = panels + panel * panelStride
            for offset in pairOffsets {
                sums.add(rows, offset, loadVector(w))
                w += 2 * int8AVX2PanelWidth
            }
            sums.store(rows.count, output, ldc: ldc, column: panel * int8AVX2PanelWidth, n: n)
        }
    }
}

@inline(__always)
private func loadVector(_ address: UnsafePointer<Int16>) -> __m256i {
    UnsafeRawPointer(address).loadUnaligned(as: __m256i.self)
}

/// The 6 A rows of a tile; rows past `count` repeat the last one (computed, not stored) so
/// the register tile keeps a fixed shape.
private struct Int8AVX2TileRows {
    let count: Int
    let p0, p1, p2, p3, p4, p5: UnsafePointer<Int16>

    @inline(__always)
    init(count: Int, _ address: (Int) -> UnsafePointer<Int16>) {
        self.count = count
        func row(_ r: Int) -> UnsafePointer<Int16> { address(min(r, count - 1)) }
        (p0, p1, p2, p3, p4, p5) = (row(0), row(1), row(2), row(3), row(4), row(5))
    }
}

/// The int16 pair at `row + offset` in every lane.
@inline(__always)
private func broadcastPair(_ row: UnsafePointer<Int16>, _ offset: Int) -> __m256i {
    _mm256_set1_epi32(UnsafeRawPointer(row + offset).loadUnaligned(as: Int32.self))
}

/// Six int32 accumulator registers, one per tile row; separate stored properties so that
/// they live in registers.
private struct Int8AVX2AccumulatorTile {
    var r0 = _mm256_setzero_si256(), r1 = _mm256_setzero_si256(), r2 = _mm256_setzero_si256()
    var r3 = _mm256_setzero_si256(), r4 = _mm256_setzero_si256(), r5 = _mm256_setzero_si256()

    /// Row r += the pair products of its pair at `offset` with the 8 weight pairs `w`.
    @inline(__always)
    mutating func add(_ rows: Int8AVX2TileRows, _ offset: Int, _ w: __m256i) {
        r0 = _mm256_add_epi32(r0, _mm256_madd_epi16(broadcastPair(rows.p0, offset), w))
        r1 = _mm256_add_epi32(r1, _mm256_madd_epi16(broadcastPair(rows.p1, offset), w))
        r2 = _mm256_add_epi32(r2, _mm256_madd_epi16(broadcastPair(rows.p2, offset), w))
        r3 = _mm256_add_epi32(r3, _mm256_madd_epi16(broadcastPair(rows.p3, offset), w))
        r4 = _mm256_add_epi32(r4, _mm256_madd_epi16(broadcastPair(rows.p4, offset), w))
        r5 = _mm256_add_epi32(r5, _mm256_madd_epi16(broadcastPair(rows.p5, offset), w))
    }

    /// Both panels of a 16-column tile, row by row: each broadcast is used twice while it is
    /// in a register, so the 12 accumulators, 2 weights and the broadcast fit the 16 ymm.
    @inline(__always)
    static func add(_ rows: Int8AVX2TileRows, _ offset: Int,
                    _ low: inout Int8AVX2AccumulatorTile, _ w0: __m256i, _ high: inout Int8AVX2AccumulatorTile, _ w1: __m256i) {
        func step(_ row: UnsafePointer<Int16>, _ l: inout __m256i, _ h: inout __m256i) {
            let x = broadcastPair(row, offset)
            l = _mm256_add_epi32(l, _mm256_madd_epi16(x, w0))
            h = _mm256_add_epi32(h, _mm256_madd_epi16(x, w1))
        }
        step(rows.p0, &low.r0, &high.r0)
        step(rows.p1, &low.r1, &high.r1)
        step(rows.p2, &low.r2, &high.r2)
        step(rows.p3, &low.r3, &high.r3)
        step(rows.p4, &low.r4, &high.r4)
        step(rows.p5, &low.r5, &high.r5)
    }

    /// Writes the first `rows` rows to columns column..<column+8 (fewer at n).
    @inline(__always)
    func store(_ rows: Int, _ c: UnsafeMutablePointer<Int32>, ldc: Int, column: Int, n: Int) {
        let count = min(int8AVX2PanelWidth, n - column)
        let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(Int32(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
        func put(_ r: Int, _ sums: __m256i) {
            guard r < rows else { return }
            let target = c + r * ldc + column
            if count == int8AVX2PanelWidth {
                UnsafeMutableRawPointer(target).storeBytes(of: sums, as: __m256i.self)
            } else {
                _mm256_maskstore_epi32(target, mask, sums)
            }
        }
        put(0, r0); put(1, r1); put(2, r2); put(3, r3); put(4, r4); put(5, r5)
    }
}
#endif
