/// Single-precision general matrix multiply on row-major matrices:
/// C = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ.
/// op(A) is m×k, op(B) is k×n, C is m×n. `lda`, `ldb`, `ldc` are row strides.
/// When beta == 0, C is overwritten and its previous contents are never read.
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // Placeholder reference loop; replaced by the packed, threaded kernel.
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let x = transA ? a[p * lda + i] : a[i * lda + p]
                let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
        }
    }
}
