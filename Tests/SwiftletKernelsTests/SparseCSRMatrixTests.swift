import XCTest
@testable import SwiftletKernels

/// CSR storage and the scattering product with Wᵀ against a naive dense product.
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

    func testTransposedProductScattersNonzeroInputs() {
        for (rows, columns, density) in [(7, 13, Float(0.3)), (9, 5, 0.5), (3, 6, 0), (60, 70, 0.2)] {
            let weights = sparseMatrix(rows: rows, columns: columns, density: density, seed: UInt64(rows))
            var generator = SeededRandom(seed: 7)
            let sparseInput = (0..<columns).map { $0 % 3 == 0 ? generator.nextUniform(-1, 1) : 0 }
            let bias = (0..<rows).map { _ in generator.nextUniform(-1, 1) }
            // Wᵀ [columns, rows]: one CSR row per input.
            let transposed = CSRMatrix(dense: (0..<rows * columns).map { weights[($0 % rows) * columns + $0 / rows] },
                                       rows: columns, columns: rows)
            var y = bias
            transposed.accumulateTransposedProduct(input: sparseInput, output: &y)
            for r in 0..<rows {
                var expected = Double(bias[r])
                for c in 0..<columns { expected += Double(weights[r * columns + c]) * Double(sparseInput[c]) }
                XCTAssertEqual(Double(y[r]), expected, accuracy: 1e-5, "transposed \(rows)×\(columns) [\(r)]")
            }
        }
    }
}
