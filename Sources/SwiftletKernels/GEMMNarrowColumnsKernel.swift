/// The micro-kernel for a last B panel of at most 8 columns (n = 20, 84, 100, … leave four):
/// a 12×8 tile of C over two adjacent 6-row A micro-panels, still twelve 8-lane accumulators.
///
/// `GEMMMicroKernel` would compute all 16 columns of that zero-padded panel: for the rank-20
/// first factor of LeNet-300's fc1, 32 columns for 20. Here 8 are computed, at the same twelve
/// FMAs per k step (1 load of B and 12 broadcasts). Each element is the same chain of fused
/// multiply-adds along k, combined with C as `GEMMMicroKernel` combines an edge tile, so the
/// results are bit-identical to it.
enum GEMMNarrowColumnsKernel {
    /// Columns of the C tile: the first columns of a packed B micro-panel (of `GEMMMicroKernel.columns`).
    static let columns = 8

    /// C[0..<m, 0..<n] = alpha · A·B combined by `update`, for the 12×kc A formed by the packed
    /// 6×kc micro-panels `upper` and `lower` and the first 8 columns of the packed kc×16 B
    /// micro-panel `b`. 6 < `m` ≤ 12 and `n` ≤ 8.
    @inline(__always)
    static func multiply(
        kc: Int, upper: UnsafePointer<Float>, lower: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, alpha: Float, update: GEMMMicroKernel.Update
    ) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
        var c4 = SIMD8<Float>(), c5 = SIMD8<Float>(), c6 = SIMD8<Float>(), c7 = SIMD8<Float>()
        var c8 = SIMD8<Float>(), c9 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var up = upper, lp = lower, bp = b
        for _ in 0..<kc {
            let row = GEMMMicroKernel.load(bp)
            c0.addProduct(SIMD8(repeating: up[0]), row); c1.addProduct(SIMD8(repeating: up[1]), row)
            c2.addProduct(SIMD8(repeating: up[2]), row); c3.addProduct(SIMD8(repeating: up[3]), row)
            c4.addProduct(SIMD8(repeating: up[4]), row); c5.addProduct(SIMD8(repeating: up[5]), row)
            c6.addProduct(SIMD8(repeating: lp[0]), row); c7.addProduct(SIMD8(repeating: lp[1]), row)
            c8.addProduct(SIMD8(repeating: lp[2]), row); c9.addProduct(SIMD8(repeating: lp[3]), row)
            c10.addProduct(SIMD8(repeating: lp[4]), row); c11.addProduct(SIMD8(repeating: lp[5]), row)
            up += GEMMMicroKernel.rows
            lp += GEMMMicroKernel.rows
            bp += GEMMMicroKernel.columns
        }
        // As `GEMMMicroKernel`'s edge tiles: alpha · AB parked on the stack, then combined with C.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * columns) { buffer in
            let t = buffer.baseAddress!, scale = SIMD8<Float>(repeating: alpha)
            GEMMMicroKernel.store(c0 * scale, t); GEMMMicroKernel.store(c1 * scale, t + 8)
            GEMMMicroKernel.store(c2 * scale, t + 16); GEMMMicroKernel.store(c3 * scale, t + 24)
            GEMMMicroKernel.store(c4 * scale, t + 32); GEMMMicroKernel.store(c5 * scale, t + 40)
            GEMMMicroKernel.store(c6 * scale, t + 48); GEMMMicroKernel.store(c7 * scale, t + 56)
            GEMMMicroKernel.store(c8 * scale, t + 64); GEMMMicroKernel.store(c9 * scale, t + 72)
            GEMMMicroKernel.store(c10 * scale, t + 80); GEMMMicroKernel.store(c11 * scale, t + 88)
            update.apply(t, sourceStride: columns, to: c, ldc: ldc, m: m, n: n)
        }
    }
}
