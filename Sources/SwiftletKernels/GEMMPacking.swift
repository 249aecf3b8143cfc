/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panels that
/// `GEMMMicroKernel` streams through, so that its loads are sequential whatever the
/// original strides and transposition were.
enum GEMMPacking {
    /// Packs rows `rows` × columns `depth` of op(A) into panels of 6 rows:
    /// panel q holds, for each p in `depth`, rows 6q..<6q+6 of column p.
    @inline(__always)
    static func packA(
        _ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
        rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>
    ) {
        // op(A)[i, p] is a[i * lda + p], or a[p * lda + i] when A is stored transposed.
        let origin = transposed
            ? a + depth.lowerBound * lda + rows.lowerBound
            : a + rows.lowerBound * lda + depth.lowerBound
        packPanels(
            origin, indexStride: transposed ? 1 : lda, depthStride: transposed ? lda : 1,
            count: rows.count, depth: depth.count, width: GEMMMicroKernel.rows, into: destination)
    }

    /// Packs rows `depth` × columns `columns` of op(B) into panels of 16 columns:
    /// panel q holds, for each p in `depth`, columns 16q..<16q+16 of row p.
    @inline(__always)
    static func packB(
        _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
        depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>
    ) {
        // op(B)[p, j] is b[p * ldb + j], or b[j * ldb + p] when B is stored transposed.
        let origin = transposed
            ? b + columns.lowerBound * ldb + depth.lowerBound
            : b + depth.lowerBound * ldb + columns.lowerBound
        packPanels(
            origin, indexStride: transposed ? ldb : 1, depthStride: transposed ? 1 : ldb,
            count: columns.count, depth: depth.count, width: GEMMMicroKernel.columns,
            into: destination)
    }

    /// Packs element (index, p) = `source[index * indexStride + p * depthStride]` for
    /// index in 0..<count, p in 0..<depth into panels of `width` indices; the last panel
    /// is padded with zeros so that the micro-kernel never needs a short variant.
    @inline(__always)
    private static func packPanels(
        _ source: UnsafePointer<Float>, indexStride: Int, depthStride: Int,
        count: Int, depth: Int, width: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        var panel = destination
        for first in stride(from: 0, to: count, by: width) {
            let used = min(width, count - first)
            let origin = source + first &* indexStride
            if indexStride == 1 && used == width {
                // Each step along depth is one full run of contiguous elements.
                for p in 0..<depth {
                    (panel + p &* width).update(from: origin + p &* depthStride, count: width)
                }
            } else if indexStride == 1 {
                for p in 0..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    for t in 0..<used { to[t] = from[t] }
                    for t in used..<width { to[t] = 0 }
                }
            } else if used == width {
                // Each index is a contiguous run along depth. Walking all `width` runs
                // side by side keeps that many memory streams in flight.
                for p in 0..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    for t in 0..<width { to[t] = from[t &* indexStride] }
                }
            } else {
                for p in 0..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    for t in 0..<used { to[t] = from[t &* indexStride] }
                    for t in used..<width { to[t] = 0 }
                }
            }
            panel += width &* depth
        }
    }
}
