/// The AVX-512 micro-kernel: a 6×32 tile of C over two adjacent 16-column B micro-panels, in
/// twelve 16-lane accumulators (zmm registers).
///
/// `GEMMMicroKernel` keeps its 6×16 tile in twelve 8-lane registers, which is what AVX2's 16
/// registers allow. On a CPU with AVX-512 (and two 512-bit FMA units, as the Intel Xeons here
/// have) the same twelve instructions per k step can each do sixteen multiply-adds: a standalone
/// loop measured 172 GFLOP/s per core against 89 with ymm. The packed panel layout is unchanged
/// (a 16-float row of each B panel is one zmm load), so packing and every caller's layout stay
/// as they are. Each element of C is the same chain of fused multiply-adds along k as in
/// `GEMMMicroKernel`, combined with C with one rounding, so the results are bit-identical to it
/// and an AVX-512 build trains the same model as an AVX2 one.
///
/// Built only where Package.swift defines `SWIFTLET_AVX512`: with AVX2 alone 16-lane vectors
/// would be split in two and the 24 halves spill.
#if SWIFTLET_AVX512
enum GEMMPairKernel {
    /// Columns of the C tile: two B micro-panels.
    static let columns = 2 * GEMMMicroKernel.columns

    /// C[0..<m, 0..<n] = alpha · A·B combined by `update`, for the packed 6×kc A micro-panel `a`
    /// and the kc×32 matrix formed by the packed kc×16 B micro-panels `left` and `right` side by
    /// side. `m` ≤ 6 and 16 < `n` ≤ 32 (rows and columns past them are computed and dropped).
    /// A full tile is combined with C as `GEMMMicroKernel` combines one, an edge tile likewise.
    @inline(__always)
    static func multiply(
        kc: Int, a: UnsafePointer<Float>, left: UnsafePointer<Float>, right: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, alpha: Float, update: GEMMMicroKernel.Update
    ) {
        for i in 0..<m {
            prefetchForWriting(c + i * ldc)
            prefetchForWriting(c + i * ldc + columns - 1)
        }
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>(), c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var ap = a, lp = left, rp = right
        for _ in 0..<kc {
            let b0 = load(lp), b1 = load(rp)
            var x = SIMD16<Float>(repeating: ap[0])
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = SIMD16<Float>(repeating: ap[1])
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = SIMD16<Float>(repeating: ap[2])
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = SIMD16<Float>(repeating: ap[3])
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = SIMD16<Float>(repeating: ap[4])
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = SIMD16<Float>(repeating: ap[5])
            c50.addProduct(x, b0); c51.addProduct(x, b1)
            ap += GEMMMicroKernel.rows
            lp += GEMMMicroKernel.columns
            rp += GEMMMicroKernel.columns
        }
        /// The six rows of the tile, times alpha, combined into `target` by `update`.
        @inline(__always)
        func storeTile(to target: UnsafeMutablePointer<Float>, ldc: Int, update: GEMMMicroKernel.Update) {
            storeRow(c00, c01, to: target, alpha: alpha, update: update)
            storeRow(c10, c11, to: target + ldc, alpha: alpha, update: update)
            storeRow(c20, c21, to: target + 2 * ldc, alpha: alpha, update: update)
            storeRow(c30, c31, to: target + 3 * ldc, alpha: alpha, update: update)
            storeRow(c40, c41, to: target + 4 * ldc, alpha: alpha, update: update)
            storeRow(c50, c51, to: target + 5 * ldc, alpha: alpha, update: update)
        }
        if m == GEMMMicroKernel.rows && n == columns {
            storeTile(to: c, ldc: ldc, update: update)
            return
        }
        // Edge tile: park alpha times the 6×32 result on the stack and copy out what exists.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: GEMMMicroKernel.rows * columns) { buffer in
            let t = buffer.baseAddress!
            storeTile(to: t, ldc: columns, update: .overwrite)
            update.apply(t, sourceStride: columns, to: c, ldc: ldc, m: m, n: n)
        }
    }

    /// How many of `n` columns (16-column B panels side by side) are taken in pairs: every
    /// whole pair, and a last pair of 17–31 columns (a zmm pair costs what one ymm panel does);
    /// what is left is one panel of at most 16 columns, or nothing.
    static func pairedColumns(_ n: Int) -> Int {
        let panel = GEMMMicroKernel.columns
        return n > panel ? n / columns * columns + (n % columns > panel ? columns : 0) : 0
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Writes one 32-wide row of the tile as `GEMMMicroKernel` writes a 16-wide one.
    @inline(__always)
    private static func storeRow(
        _ low: SIMD16<Float>, _ high: SIMD16<Float>, to p: UnsafeMutablePointer<Float>,
        alpha: Float, update: GEMMMicroKernel.Update
    ) {
        update.combine(low, into: p, alpha: alpha)
        update.combine(high, into: p + 16, alpha: alpha)
    }
}
#endif
