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

    /// C[0..<m, 0..<n] combined by `update` with the packed 6×kc A micro-panel `a` times the
    /// kc×32 matrix formed by the packed kc×16 B micro-panels `left` and `right` side by side.
    /// `m` ≤ 6 and 16 < `n` ≤ 32 (rows and columns past them are computed and dropped).
    @inline(__always)
    static func multiply(
        kc: Int, a: UnsafePointer<Float>, left: UnsafePointer<Float>, right: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, update: GEMMMicroKernel.Update
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
        if m == GEMMMicroKernel.rows && n == columns {
            switch update {
            case .overwrite:
                storeRow(c00, c01, to: c); storeRow(c10, c11, to: c + ldc); storeRow(c20, c21, to: c + 2 * ldc)
                storeRow(c30, c31, to: c + 3 * ldc); storeRow(c40, c41, to: c + 4 * ldc); storeRow(c50, c51, to: c + 5 * ldc)
                return
            case .accumulate:
                addRow(c00, c01, to: c); addRow(c10, c11, to: c + ldc); addRow(c20, c21, to: c + 2 * ldc)
                addRow(c30, c31, to: c + 3 * ldc); addRow(c40, c41, to: c + 4 * ldc); addRow(c50, c51, to: c + 5 * ldc)
                return
            case .scaleAndAccumulate:
                break  // not used by the convolution products: the general path below
            }
        }
        // Edge tile (or a scaled update): park the 6×32 result on the stack and copy out what exists.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: GEMMMicroKernel.rows * columns) { buffer in
            let t = buffer.baseAddress!
            storeRow(c00, c01, to: t); storeRow(c10, c11, to: t + columns); storeRow(c20, c21, to: t + 2 * columns)
            storeRow(c30, c31, to: t + 3 * columns); storeRow(c40, c41, to: t + 4 * columns); storeRow(c50, c51, to: t + 5 * columns)
            update.apply(t, sourceStride: columns, to: c, ldc: ldc, m: m, n: n)
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    @inline(__always)
    private static func storeRow(_ low: SIMD16<Float>, _ high: SIMD16<Float>, to p: UnsafeMutablePointer<Float>) {
        store(low, p)
        store(high, p + 16)
    }

    @inline(__always)
    private static func addRow(_ low: SIMD16<Float>, _ high: SIMD16<Float>, to p: UnsafeMutablePointer<Float>) {
        store(load(p) + low, p)
        store(load(p + 16) + high, p + 16)
    }
}
#endif
