/// C[m, n] = A · Bᵀ (or C += A · Bᵀ when `accumulate`), where A is m×k and B is n×k, both
/// with contiguous rows: every element of C is the dot product of a row of A and a row of B.
///
/// This is the weight gradient of a convolution, gradOutput[M, P] · im2col[K, P]ᵀ, read
/// in the layout both matrices already have. A packed GEMM would have to transpose the
/// im2col matrix first, which for few input channels (K = 9..27) and large planes
/// (P = 576..900) costs more than the multiplication itself. Here a 4×4 tile of C is held
/// as sixteen 8-lane partial sums along k (eight loads per sixteen FMAs; with the four
/// loaded rows of B that is 21 of AVX-512's 32 vector registers — AVX2's 16 would spill)
/// and reduced once at the end; that reduction only pays off when k is long, so callers
/// use this for large P.
func multiplyRowsByRows(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let vectorDepth = k & ~7
    for i in stride(from: 0, to: m, by: 4) {
        // Rows past the edge repeat the last row: the inner loop stays branch-free and
        // their results are not stored.
        let a0 = a + min(i, m - 1) * lda, a1 = a + min(i + 1, m - 1) * lda
        let a2 = a + min(i + 2, m - 1) * lda, a3 = a + min(i + 3, m - 1) * lda
        for j in stride(from: 0, to: n, by: 4) {
            let b0 = b + min(j, n - 1) * ldb, b1 = b + min(j + 1, n - 1) * ldb
            let b2 = b + min(j + 2, n - 1) * ldb, b3 = b + min(j + 3, n - 1) * ldb
            var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s02 = SIMD8<Float>(), s03 = SIMD8<Float>()
            var s10 = SIMD8<Float>(), s11 = SIMD8<Float>(), s12 = SIMD8<Float>(), s13 = SIMD8<Float>()
            var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s22 = SIMD8<Float>(), s23 = SIMD8<Float>()
            var s30 = SIMD8<Float>(), s31 = SIMD8<Float>(), s32 = SIMD8<Float>(), s33 = SIMD8<Float>()
            var p = 0
            while p < vectorDepth {
                let x0 = loadVector(b0 + p), x1 = loadVector(b1 + p), x2 = loadVector(b2 + p), x3 = loadVector(b3 + p)
                var y = loadVector(a0 + p)
                s00.addProduct(y, x0); s01.addProduct(y, x1); s02.addProduct(y, x2); s03.addProduct(y, x3)
                y = loadVector(a1 + p)
                s10.addProduct(y, x0); s11.addProduct(y, x1); s12.addProduct(y, x2); s13.addProduct(y, x3)
                y = loadVector(a2 + p)
                s20.addProduct(y, x0); s21.addProduct(y, x1); s22.addProduct(y, x2); s23.addProduct(y, x3)
                y = loadVector(a3 + p)
                s30.addProduct(y, x0); s31.addProduct(y, x1); s32.addProduct(y, x2); s33.addProduct(y, x3)
                p += 8
            }
            let rows = min(4, m - i), columns = min(4, n - j)
            let sums = (s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33)
            withUnsafeBytes(of: sums) { raw in
                for r in 0..<rows {
                    let aRow = a + (i + r) * lda
                    for q in 0..<columns {
                        let bRow = b + (j + q) * ldb
                        var total = raw.load(fromByteOffset: (r * 4 + q) * 32, as: SIMD8<Float>.self).sum()
                        for t in vectorDepth..<k { total += aRow[t] * bRow[t] }
                        let target = c + (i + r) * ldc + j + q
                        target.pointee = accumulate ? target.pointee + total : total
                    }
                }
            }
        }
    }
}
