/// Integer matrix product C = A·Bᵀ with int8 operands and int32 results:
/// C[i][j] = Σₚ A[i][p]·B[j][p] for A m×k (row stride `lda`), B n×k (row stride `ldb`),
/// C m×n (row stride `ldc`). Both operands run along k in memory — im2col rows against
/// weight rows — so every output is one contiguous dot product.
///
/// Single-threaded: callers parallelise over images. Exact (no rounding): |products| ≤ 2¹⁴,
/// so an int32 sum cannot overflow for k < 2¹⁷.
public func int8GEMM(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Int8>, lda: Int,
    b: UnsafePointer<Int8>, ldb: Int,
    c: UnsafeMutablePointer<Int32>, ldc: Int
) {
    precondition(k < 1 << 17, "int8GEMM: k = \(k) could overflow the int32 accumulators")
    for i in 0..<m {
        let row = a + i * lda
        for j in 0..<n { c[i * ldc + j] = int8Dot(row, b + j * ldb, k) }
    }
}

/// The depth to pad k to for `Int8PackedWeights`: for the portable kernel, whole vector steps
/// of the dot product (the zero columns add nothing to the sums); the register-tiled AVX-512
/// VNNI and AVX2 kernels take any depth, so there it is k.
public func int8PaddedDepth(_ k: Int) -> Int {
    #if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
    k
    #else
    (k + 31) & ~31
    #endif
}

/// Σ a[p]·b[p]. Written as a plain loop on purpose: LLVM turns exactly this shape
/// (a single int32 reduction of sign-extended int8 products) into `vpmovsxbw` +
/// `vpmaddwd` — 16-bit multiplies whose adjacent pairs are summed into int32 lanes.
/// Explicit SIMD types or several accumulators in one loop compile to the much slower
/// `vpmulld` instead (checked in the generated assembly with -target-cpu native).
/// Blocks of a fixed 32 make every step a vector step: over a variable count LLVM
/// vectorizes 64 at a time and leaves the rest to a scalar loop, which for k = 32 (a 5×5
/// or 3×3×3 window padded by `int8PaddedDepth`) was the whole product.
@inline(__always)
func int8Dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ k: Int) -> Int32 {
    var sum: Int32 = 0
    let whole = k & ~31
    for block in stride(from: 0, to: whole, by: 32) {
        let x = a + block, y = b + block
        for p in 0..<32 { sum &+= Int32(x[p]) &* Int32(y[p]) }
    }
    for p in whole..<k { sum &+= Int32(a[p]) &* Int32(b[p]) }
    return sum
}
