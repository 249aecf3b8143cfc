@testable import SwiftletKernels
import XCTest

final class PackedProductTests: XCTestCase {
    /// The packed product against the same fused multiply-add chains computed one element at
    /// a time (each k slice summed from zero, then written or added to C), bit for bit: on
    /// row counts whose last A panel has 1–3 rows (`GEMMShortRowsKernel`, two B panels at a
    /// time) or 4–5 (the 6-row kernel), odd and even numbers of B panels, partial last
    /// panels, and depths longer than one k slice; overwriting and accumulating.
    func testShortRowTilesMatchTheFusedMultiplyAddChains() {
        let sizes: [(m: Int, n: Int, k: Int)] = [(1, 17, 5), (2, 33, 9), (3, 32, 1), (7, 48, 27), (8, 169, 144), (9, 31, 300),
                                                 (10, 16, 8), (20, 50, 40), (32, 169, 8), (14, 15, 3)]
        for (index, size) in sizes.enumerated() {
            let ldc = size.n + 3
            let a = randomValues(size.m * size.k, seed: UInt64(400 + index)), b = randomValues(size.k * size.n, seed: UInt64(500 + index))
            var packedA = [Float](repeating: .nan, count: PackedProduct.packedACount(m: size.m, k: size.k))
            var packedB = [Float](repeating: .nan, count: PackedProduct.packedBCount(k: size.k, n: size.n))
            PackedProduct.packA(a, lda: size.k, transposed: false, m: size.m, k: size.k, into: &packedA)
            PackedProduct.packB(b, ldb: size.n, transposed: false, k: size.k, n: size.n, into: &packedB)
            let initial = randomValues(size.m * ldc, seed: UInt64(600 + index))
            for accumulate in [false, true] {
                var actual = initial
                PackedProduct.multiply(m: size.m, n: size.n, k: size.k, packedA: packedA, packedB: packedB,
                                       c: &actual, ldc: ldc, accumulate: accumulate)
                var expected = initial
                let depthStep = GEMMBlocking.step(size.k, limit: GEMMBlocking.depthBlock, multiple: 1)
                for i in 0..<size.m {
                    for j in 0..<size.n {
                        for start in stride(from: 0, to: size.k, by: depthStep) {
                            var sum: Float = 0
                            for p in start..<min(start + depthStep, size.k) { sum.addProduct(a[i * size.k + p], b[p * size.n + j]) }
                            expected[i * ldc + j] = accumulate || start > 0 ? expected[i * ldc + j] + sum : sum
                        }
                    }
                }
                XCTAssertEqual(actual, expected, "m \(size.m) n \(size.n) k \(size.k) accumulate \(accumulate)")
            }
        }
    }
}
