/// The micro-kernel for the last one to three rows of A (m = 8, 20, 32, … leave two): a 3×32
/// tile of C over two adjacent 16-column B micro-panels, still twelve 8-lane accumulators.
///
/// `GEMMMicroKernel` would compute all six rows of that last, zero-padded A panel: for the
/// 8 filters of a rank-8 convolution 12 rows for 8, half again the work. Here 3 rows are
/// computed, at the same twelve FMAs per k step (4 loads of B and 3 broadcasts instead of
/// 2 and 6). Every element is the same chain of fused multiply-adds along k as in
/// `GEMMMicroKernel`, and is written or added to C with one rounding, so the results are
/// bit-identical to it.
enum GEMMShortRowsKernel {
    /// Rows of the C tile: the first rows of a packed A micro-panel (of `GEMMMicroKernel.rows`).
    static let rows = 3

    /// C[0..<m, 0..<n] combined by `update` with the first 3 rows of the packed 6×kc A
    /// micro-panel `a` times the kc×32 matrix formed by the packed kc×16 B micro-panels
    /// `left` and `right` side by side. `m` ≤ 3 and 16 < `n` ≤ 32.
    @inline(__always)
    static func multiply(
        kc: Int, a: UnsafePointer<Float>, left: UnsafePointer<Float>, right: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, update: GEMMMicroKernel.Update
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>(), c03 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>(), c13 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>(), c23 = SIMD8<Float>()
        var ap = a, lp = left, rp = right
        for _ in 0..<kc {
            let b0 = GEMMMicroKernel.load(lp), b1 = GEMMMicroKernel.load(lp + 8)
            let b2 = GEMMMicroKernel.load(rp), b3 = GEMMMicroKernel.load(rp + 8)
            let a0 = SIMD8<Float>(repeating: ap[0]), a1 = SIMD8<Float>(repeating: ap[1])
            let a2 = SIMD8<Float>(repeating: ap[2])
            c00.addProduct(a0, b0); c01.addProduct(a0, b1); c02.addProduct(a0, b2); c03.addProduct(a0, b3)
            c10.addProduct(a1, b0); c11.addProduct(a1, b1); c12.addProduct(a1, b2); c13.addProduct(a1, b3)
            c20.addProduct(a2, b0); c21.addProduct(a2, b1); c22.addProduct(a2, b2); c23.addProduct(a2, b3)
            ap += GEMMMicroKernel.rows
            lp += GEMMMicroKernel.columns
            rp += GEMMMicroKernel.columns
        }
        // Park the tile on the stack and copy out the m×n part that exists.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * 32) { buffer in
            let t = buffer.baseAddress!
            storeRow(c00, c01, c02, c03, to: t)
            storeRow(c10, c11, c12, c13, to: t + 32)
            storeRow(c20, c21, c22, c23, to: t + 64)
            update.apply(t, sourceStride: 32, to: c, ldc: ldc, m: m, n: n)
        }
    }

    @inline(__always)
    private static func storeRow(
        _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>, to p: UnsafeMutablePointer<Float>
    ) {
        GEMMMicroKernel.store(v0, p)
        GEMMMicroKernel.store(v1, p + 8)
        GEMMMicroKernel.store(v2, p + 16)
        GEMMMicroKernel.store(v3, p + 24)
    }
}
