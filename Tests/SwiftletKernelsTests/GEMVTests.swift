import XCTest
@testable import SwiftletKernels

/// The one-row path of `sgemm` on sizes large enough to be split over threads.
final class GEMVTests: XCTestCase {
    func testOneRowProductsMatchDoublePrecision() {
        var random = SeededRandom(seed: 5)
        for threads in [1, 2] {
            Parallel.threads = threads
            for (n, k, transB, beta) in [(300, 784, true, Float(0)), (300, 784, false, 0), (257, 1031, true, 0.5), (1000, 200, false, -1)] {
                let ldb = (transB ? k : n) + 3
                let x = (0..<k).map { _ in random.nextUniform(-1, 1) }
                let b = (0..<((transB ? n : k) * ldb)).map { _ in random.nextUniform(-1, 1) }
                let start = (0..<n).map { _ in random.nextUniform(-1, 1) }
                var c = start
                sgemm(transA: false, transB: transB, m: 1, n: n, k: k, alpha: 0.5, a: x, lda: k, b: b, ldb: ldb,
                      beta: beta, c: &c, ldc: n)
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k { sum += Double(x[p]) * Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }
                    let expected = 0.5 * sum + Double(beta) * Double(start[j])
                    XCTAssertEqual(Double(c[j]), expected, accuracy: 1e-4 * max(1, abs(expected)), "n \(n) k \(k) transB \(transB) j \(j)")
                }
            }
        }
        Parallel.threads = 2
    }
}
