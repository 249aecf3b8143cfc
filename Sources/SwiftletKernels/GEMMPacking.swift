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
                // of each with one vector load; 8 runs at a time are transposed in registers
                // and stored as 8 steps of the panel, the rest scattered down it.
                let vectorDepth = depthStride == 1 ? depth & ~7 : 0
                let blockedIndices = used & ~7
                for p in stride(from: 0, to: vectorDepth, by: 8) {
                    let to = panel + p &* width
                    for t in stride(from: 0, to: blockedIndices, by: 8) {
                        transposeBlock(origin + t &* indexStride + p, stride: indexStride, to: to + t, stride: width)
                    }
                    for t in blockedIndices..<used {
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

    /// Writes the transpose of the 8×8 block at `source` (rows `sourceStride` apart) to
    /// `destination` (rows `destinationStride` apart). Three rounds of unzipping pairs of rows
    /// (the even and the odd elements of the two side by side) move the row index into the
    /// lanes one bit per round: 24 shuffles instead of 64 single-element stores.
    @inline(__always)
    private static func transposeBlock(
        _ source: UnsafePointer<Float>, stride sourceStride: Int,
        to destination: UnsafeMutablePointer<Float>, stride destinationStride: Int
    ) {
        func row(_ r: Int) -> SIMD8<Float> { GEMMMicroKernel.load(source + r &* sourceStride) }
        var (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        for _ in 0..<3 {
            let (e0, o0) = unzip(r0, r1), (e1, o1) = unzip(r2, r3)
            let (e2, o2) = unzip(r4, r5), (e3, o3) = unzip(r6, r7)
            (r0, r1, r2, r3, r4, r5, r6, r7) = (e0, e1, e2, e3, o0, o1, o2, o3)
        }
        func store(_ column: SIMD8<Float>, _ q: Int) { GEMMMicroKernel.store(column, destination + q &* destinationStride) }
        store(r0, 0); store(r1, 1); store(r2, 2); store(r3, 3); store(r4, 4); store(r5, 5); store(r6, 6); store(r7, 7)
    }

    /// The even and the odd elements of `first` and `second` side by side.
    @inline(__always)
    private static func unzip(_ first: SIMD8<Float>, _ second: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        let pair = SIMD16(lowHalf: first, highHalf: second)
        return (pair.evenHalf, pair.oddHalf)
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
