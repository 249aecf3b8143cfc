import XCTest
@testable import SwiftletKernels

final class GEMMTests: XCTestCase {
    override func tearDown() {
        Parallel.threads = ProcessInfo.processInfo.activeProcessorCount
        super.tearDown()
    }

    func testEveryTransposeCombinationOnEdgeSizes() {
        let shapes = [
            (1, 1, 1), (1, 17, 3), (7, 1, 5), (6, 16, 1), (5, 15, 7), (13, 33, 19),
            (12, 32, 257), (25, 47, 300), (97, 50, 513), (150, 20, 9),
        ]
        for (m, n, k) in shapes {
            for transA in [false, true] {
                for transB in [false, true] {
                    check(m, n, k, transA: transA, transB: transB, alpha: 1.5, beta: 0.5, padding: 3)
                }
            }
        }
    }

    /// Products whose columns all lie in one last B panel of at most 8 (`GEMMNarrowColumnsKernel`
    /// for pairs of A panels, the 6×16 kernel's edge path for a leftover panel) against the
    /// fused multiply-add chain of every element, bit for bit: each k slice summed from zero,
    /// scaled by alpha, then combined with C as an edge tile is (beta 0, 1 and other).
    func testNarrowColumnTilesMatchTheFusedMultiplyAddChains() {
        Parallel.threads = 1
        for (index, (m, n, k)) in [(7, 8, 5), (12, 4, 1), (13, 1, 300), (19, 7, 33), (64, 4, 784)].enumerated() {
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-1.25, -0.5)] {
                checkFusedMultiplyAddChains(m, n, k, alpha: alpha, beta: beta, seed: UInt64(700 + index))
            }
        }
    }

    /// Products wider than one B panel — full and edge tiles of the 6×32 AVX-512 kernel
    /// (`GEMMPairKernel`), or pairs of 6×16 tiles in the AVX2 build, with m, n and k off every
    /// tile multiple — against the same fused multiply-add chains, bit for bit. With alpha 1 and
    /// beta 0 or 1 full and edge tiles combine with C alike.
    func testWideTilesMatchTheFusedMultiplyAddChains() {
        Parallel.threads = 1
        let shapes = [(7, 17, 5), (6, 32, 257), (13, 33, 300), (19, 47, 33), (64, 300, 784), (5, 80, 2)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for beta: Float in [0, 1] {
                checkFusedMultiplyAddChains(m, n, k, alpha: 1, beta: beta, seed: UInt64(1700 + index))
            }
        }
    }

    /// sgemm of random m×k and k×n operands (beta applied to a random C) against each element's
    /// chain of fused multiply-adds along every k slice, combined with C as an edge tile is.
    private func checkFusedMultiplyAddChains(_ m: Int, _ n: Int, _ k: Int, alpha: Float, beta: Float, seed: UInt64) {
        let a = randomValues(m * k, seed: seed), b = randomValues(k * n, seed: seed + 100)
        let initial = randomValues(m * n, seed: seed + 200)
        var actual = initial
        sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: alpha, a: a, lda: k, b: b, ldb: n,
              beta: beta, c: &actual, ldc: n)
        var expected = initial
        let depthStep = GEMMBlocking.step(k, limit: GEMMBlocking.depthBlock, multiple: 1)
        for i in 0..<m {
            for j in 0..<n {
                for start in stride(from: 0, to: k, by: depthStep) {
                    var sum: Float = 0
                    for p in start..<min(start + depthStep, k) { sum.addProduct(a[i * k + p], b[p * n + j]) }
                    let scaled = sum * alpha, old = expected[i * n + j]
                    expected[i * n + j] = start > 0 || beta == 1 ? old + scaled : beta == 0 ? scaled : scaled + beta * old
                }
            }
        }
        XCTAssertEqual(actual, expected, "m \(m) n \(n) k \(k) alpha \(alpha) beta \(beta)")
    }

    func testBetaZeroNeverReadsC() {
        for (transA, transB) in [(false, false), (true, true)] {
            check(13, 21, 17, transA: transA, transB: transB, alpha: -0.75, beta: 0, padding: 2)
        }
    }

    func testAlphaAndBetaSpecialValues() {
        for (alpha, beta): (Float, Float) in [(1, 1), (1, 0), (2, -1), (0, 0.5), (0, 0)] {
            check(11, 19, 23, transA: false, transB: true, alpha: alpha, beta: beta, padding: 1)
        }
    }

    func testEmptyDepthScalesC() {
        check(5, 9, 0, transA: false, transB: false, alpha: 2, beta: 0.5, padding: 1)
        check(5, 9, 0, transA: true, transB: false, alpha: 2, beta: 0, padding: 0)
    }

    func testEmptyOutputTouchesNothing() {
        var c: [Float] = [42]
        let a: [Float] = [1], b: [Float] = [1]
        sgemm(transA: false, transB: false, m: 0, n: 1, k: 1, alpha: 1, a: a, lda: 1,
              b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        sgemm(transA: false, transB: false, m: 1, n: 0, k: 1, alpha: 1, a: a, lda: 1,
              b: b, ldb: 1, beta: 0, c: &c, ldc: 1)
        XCTAssertEqual(c, [42])
    }

    /// The shapes the convolution and linear layers of the seed models produce.
    func testTrainingShapesOnOneAndTwoThreads() {
        let shapes: [(Int, Int, Int, Bool, Bool)] = [
            (10, 576, 25, false, false), (20, 64, 250, false, false), (64, 50, 320, false, true),
            (10, 25, 36864, false, true), (50, 320, 64, true, false), (64, 300, 784, false, true),
            (300, 784, 64, true, false), (64, 10, 50, false, false),
        ]
        for threads in [1, 2] {
            Parallel.threads = threads
            for (m, n, k, transA, transB) in shapes {
                check(m, n, k, transA: transA, transB: transB, alpha: 1, beta: 0, padding: 0)
            }
        }
    }

    /// Each way of sharing the work between threads — by rows, by columns, by k with a
    /// reduction — gives the serial result.
    func testEveryPartitionMatchesTheReference() {
        let cases: [(m: Int, n: Int, k: Int, expected: GEMMPartition)] = [
            (600, 40, 100, GEMMPartition(rowParts: 2, columnParts: 1, depthParts: 1)),
            (40, 600, 100, GEMMPartition(rowParts: 1, columnParts: 2, depthParts: 1)),
            (10, 25, 9000, GEMMPartition(rowParts: 1, columnParts: 1, depthParts: 2)),
            (20, 50, 9000, GEMMPartition(rowParts: 1, columnParts: 1, depthParts: 4)),
        ]
        for (m, n, k, expected) in cases {
            let threads = expected.count
            XCTAssertEqual(GEMMPartition.best(m: m, n: n, k: k, threads: threads), expected,
                           "partition of (\(m), \(n), \(k)) over \(threads) threads")
            Parallel.threads = threads
            check(m, n, k, transA: false, transB: false, alpha: 0.5, beta: 2, padding: 1)
            check(m, n, k, transA: true, transB: true, alpha: 1, beta: 0, padding: 0)
        }
    }

    /// The bias and ReLU land on every element exactly once, whichever way the work is
    /// shared out (the k-split partitions apply them after the reduction), and on the
    /// one-row and empty-k paths; the row padding stays untouched.
    func testEpilogueAddsTheColumnBiasThenClamps() {
        let cases: [(m: Int, n: Int, k: Int, threads: Int)] = [
            (7, 19, 33, 1), (64, 300, 784, 2), (600, 40, 100, 2), (40, 600, 100, 2), (20, 50, 9000, 4), (1, 37, 50, 1), (5, 9, 0, 1),
        ]
        for (m, n, k, threads) in cases {
            Parallel.threads = threads
            for relu in [false, true] {
                check(m, n, k, transA: false, transB: true, alpha: 1, beta: 0, padding: 1, epilogue: (bias: true, relu: relu))
                check(m, n, k, transA: false, transB: false, alpha: 0.5, beta: 2, padding: 0, epilogue: (bias: false, relu: relu))
            }
        }
    }

    /// B packed once gives the product of B packed at every call, on every partition
    /// (by rows, columns and k), with either A, with the epilogue, for one row and for k = 0.
    func testPackedRightOperandMatchesTheReference() {
        let cases: [(m: Int, n: Int, k: Int, threads: Int)] = [
            (7, 19, 33, 1), (64, 300, 784, 2), (600, 40, 100, 2), (40, 600, 100, 2), (20, 50, 9000, 4), (10, 25, 9000, 2),
            (1, 37, 50, 1), (5, 9, 0, 1), (13, 600, 300, 1),
        ]
        for (m, n, k, threads) in cases {
            Parallel.threads = threads
            check(m, n, k, transA: false, transB: true, alpha: 1, beta: 0, padding: 1, epilogue: (bias: true, relu: true), packingB: true)
            check(m, n, k, transA: true, transB: false, alpha: 0.5, beta: 2, padding: 0, packingB: true)
        }
    }

    func testSmallProductsStayOnTheCallingThread() {
        XCTAssertEqual(GEMMPartition.best(m: 20, n: 64, k: 250, threads: 8), .serial)
        XCTAssertEqual(GEMMPartition.best(m: 512, n: 512, k: 512, threads: 1), .serial)
    }

    /// Several threads calling sgemm at once each get their own packing buffers.
    func testConcurrentCallersDoNotShareBuffers() {
        Parallel.threads = 2
        let m = 37, n = 41, k = 300, calls = 8
        let a = Operand(rows: m, columns: k, padding: 0, seed: 1)
        let b = Operand(rows: k, columns: n, padding: 0, seed: 2)
        let expected = reference(a, b, m: m, n: n, k: k, transA: false, transB: false)
        let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: calls * m * n)
        defer { results.deallocate() }
        Parallel.forEach(calls) { call in
            sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                  a: a.values, lda: a.ld, b: b.values, ldb: b.ld,
                  beta: 0, c: results.baseAddress! + call * m * n, ldc: n)
        }
        for call in 0..<calls {
            for index in 0..<(m * n) where abs(Double(results[call * m * n + index]) - expected[index]) > 1e-3 {
                XCTFail("call \(call), element \(index): \(results[call * m * n + index]) != \(expected[index])")
                return
            }
        }
    }

    // MARK: - Reference

    /// A row-major matrix whose row padding holds NaN, so reading it shows up in C.
    private struct Operand {
        let rows: Int, columns: Int, ld: Int
        var values: [Float]

        init(rows: Int, columns: Int, padding: Int, seed: UInt64, fill: Float? = nil) {
            self.rows = rows
            self.columns = columns
            ld = columns + padding
            var random = SeededRandom(seed: seed)
            values = [Float](repeating: .nan, count: max(1, rows * ld))
            for i in 0..<rows {
                for j in 0..<columns {
                    values[i * ld + j] = fill ?? Float.random(in: -1...1, using: &random)
                }
            }
        }

        subscript(i: Int, j: Int) -> Float { values[i * ld + j] }
    }

    private func reference(
        _ a: Operand, _ b: Operand, m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    ) -> [Double] {
        var product = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transA ? a[p, i] : a[i, p]
                    let y = transB ? b[j, p] : b[p, j]
                    sum += Double(x) * Double(y)
                }
                product[i * n + j] = sum
            }
        }
        return product
    }

    /// Runs sgemm on random operands with `padding` NaN columns after every row of A, B
    /// and C, and compares with a double-precision product. With beta == 0, C starts as NaN.
    private func check(
        _ m: Int, _ n: Int, _ k: Int, transA: Bool, transB: Bool,
        alpha: Float, beta: Float, padding: Int, epilogue: (bias: Bool, relu: Bool) = (false, false), packingB: Bool = false,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let a = transA
            ? Operand(rows: k, columns: m, padding: padding, seed: 11)
            : Operand(rows: m, columns: k, padding: padding, seed: 11)
        let b = transB
            ? Operand(rows: n, columns: k, padding: padding, seed: 12)
            : Operand(rows: k, columns: n, padding: padding, seed: 12)
        let initial = Operand(rows: m, columns: n, padding: padding, seed: 13,
                              fill: beta == 0 ? .nan : nil)
        var c = initial.values
        let bias = Operand(rows: 1, columns: n, padding: 0, seed: 14).values
        bias.withUnsafeBufferPointer { bias in
            let finish = GEMMEpilogue(columnBias: epilogue.bias ? bias.baseAddress : nil, relu: epilogue.relu)
            if packingB {
                let packed = GEMMPackedOperand(b: b.values, ldb: max(1, b.ld), transposed: transB, k: k, n: n)
                sgemm(transA: transA, m: m, alpha: alpha, a: a.values, lda: max(1, a.ld), b: packed, beta: beta, c: &c, ldc: initial.ld,
                      epilogue: finish)
            } else {
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.values, lda: max(1, a.ld), b: b.values,
                      ldb: max(1, b.ld), beta: beta, c: &c, ldc: initial.ld, epilogue: finish)
            }
        }

        let product = reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
        let label = "(m, n, k) = (\(m), \(n), \(k)), transA \(transA), transB \(transB), "
            + "alpha \(alpha), beta \(beta), epilogue \(epilogue), B packed beforehand \(packingB), threads \(Parallel.threads)"
        // Float accumulation error grows like sqrt(k) times the typical term size.
        let tolerance = 1e-5 * Double(max(1, k)).squareRoot() + 1e-6
        for i in 0..<m {
            for j in 0..<n {
                let old = beta == 0 ? 0 : Double(beta) * Double(initial[i, j])
                let sum = Double(alpha) * product[i * n + j] + old + (epilogue.bias ? Double(bias[j]) : 0)
                let expected = epilogue.relu ? max(sum, 0) : sum
                let actual = Double(c[i * initial.ld + j])
                guard abs(actual - expected) <= tolerance else {
                    XCTFail("C[\(i), \(j)] = \(actual), expected \(expected); \(label)",
                            file: file, line: line)
                    return
                }
            }
            for j in n..<initial.ld where !c[i * initial.ld + j].isNaN {
                XCTFail("padding C[\(i), \(j)] was written; \(label)", file: file, line: line)
                return
            }
        }
    }
}
