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
            // Fixed-width loops below: a `used`-long copy or fill would become a
            // memcpy/memset call per step.
            if indexStride == 1 && used == width {
                // Each step along depth is one full run of contiguous elements.
                for p in 0..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    copy(width, from: from, to: to)
                }
            } else if indexStride == 1 {
                for p in 0..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    // Clamped reads keep the loop branch-free; the padding gets zeros.
                    for t in 0..<width { to[t] = t < used ? from[min(t, used - 1)] : 0 }
                }
            } else {
                // Each index is a run along depth. Where runs are contiguous, read 8 steps
                // of each with one vector load and scatter them down the panel.
                let vectorDepth = depthStride == 1 ? depth & ~7 : 0
                for p in stride(from: 0, to: vectorDepth, by: 8) {
                    let to = panel + p &* width
                    for t in 0..<used {
                        let run = GEMMMicroKernel.load(origin + t &* indexStride + p)
                        for q in 0..<8 { to[q &* width + t] = run[q] }
                    }
                    for t in used..<width {
                        for q in 0..<8 { to[q &* width + t] = 0 }
                    }
                }
                for p in vectorDepth..<depth {
                    let from = origin + p &* depthStride
                    let to = panel + p &* width
                    for t in 0..<used { to[t] = from[t &* indexStride] }
                    for t in used..<width { to[t] = 0 }
                }
            }
            panel += width &* depth
        }
    }

    /// Copies `count` floats (a compile-time constant after inlining) with vector moves;
    /// a plain element loop stays scalar because the compiler cannot rule out overlap.
    @inline(__always)
    private static func copy(
        _ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>
    ) {
        var t = 0
        while t + 8 <= count {
            GEMMMicroKernel.store(GEMMMicroKernel.load(source + t), destination + t)
            t += 8
        }
        while t < count {
            destination[t] = source[t]
            t += 1
        }
    }
}
