import XCTest
@testable import SwiftletKernels

/// CSR storage and the sparse y = x·Wᵀ + b kernel against a naive dense product.
final class SparseCSRMatrixTests: XCTestCase {
    private func sparseMatrix(rows: Int, columns: Int, density: Float, seed: UInt64) -> [Float] {
        var generator = SeededRandom(seed: seed)
        return (0..<rows * columns).map { _ in generator.nextUniform() < density ? generator.nextUniform(-1, 1) : 0 }
    }

    func testCompressionRoundTripsAndCountsStorage() {
        let dense: [Float] = [0, 2, 0, 0,
                              0, 0, 0, 0,
                              1, 0, 0, -3]
        let matrix = CSRMatrix(dense: dense, rows: 3, columns: 4)
        XCTAssertEqual(matrix.rowStarts, [0, 1, 1, 3])
        XCTAssertEqual(matrix.columnIndices, [1, 0, 3])
        XCTAssertEqual(matrix.values, [2, 1, -3])
        XCTAssertEqual(matrix.dense(), dense)
        XCTAssertEqual(matrix.storageBytes, 4 * (3 + 3 + 4))
    }

    func testLinearMatchesDenseProduct() {
        // The large case spreads rows over threads; the empty rows take the bias alone.
        for (rows, columns, batch, density) in [(7, 13, 1, Float(0.3)), (9, 5, 4, 0.5), (3, 6, 2, 0), (600, 700, 3, 0.2)] {
            var weights = sparseMatrix(rows: rows, columns: columns, density: density, seed: UInt64(rows))
            for c in 0..<columns { weights[c] = 0 }
            let matrix = CSRMatrix(dense: weights, rows: rows, columns: columns)
            var generator = SeededRandom(seed: 7)
            let x = (0..<batch * columns).map { _ in generator.nextUniform(-1, 1) }
            let bias = (0..<rows).map { _ in generator.nextUniform(-1, 1) }
            for useBias in [true, false] {
                var y = [Float](repeating: .nan, count: batch * rows)
                y.withUnsafeMutableBufferPointer { out in
                    bias.withUnsafeBufferPointer { b in
                        matrix.linear(input: x, batch: batch, bias: useBias ? b.baseAddress : nil, output: out.baseAddress!)
                    }
                }
                for n in 0..<batch {
                    for r in 0..<rows {
                        var expected = Double(useBias ? bias[r] : 0)
                        for c in 0..<columns { expected += Double(weights[r * columns + c]) * Double(x[n * columns + c]) }
                        XCTAssertEqual(Double(y[n * rows + r]), expected, accuracy: 1e-4, "\(rows)×\(columns) batch \(batch) [\(n), \(r)]")
                    }
                }
            }
            // The same product from Wᵀ, scattering only the non-zero inputs.
            let transposed = CSRMatrix(dense: (0..<rows * columns).map { weights[($0 % rows) * columns + $0 / rows] },
                                       rows: columns, columns: rows)
            let sparseInput = x.enumerated().map { $0.offset % 3 == 0 ? $0.element : 0 }
            for n in 0..<batch {
                var y = bias
                sparseInput.withUnsafeBufferPointer { xs in
                    transposed.accumulateTransposedProduct(input: xs.baseAddress! + n * columns, output: &y)
                }
                for r in 0..<rows {
                    var expected = Double(bias[r])
                    for c in 0..<columns { expected += Double(weights[r * columns + c]) * Double(sparseInput[n * columns + c]) }
                    XCTAssertEqual(Double(y[r]), expected, accuracy: 1e-4, "transposed \(rows)×\(columns) [\(n), \(r)]")
                }
            }
        }
    }
}
