import SwiftletKernels
import XCTest
@testable import Swiftlet

final class SVDTests: XCTestCase {
    private func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Double] {
        var generator = SeededRandom(seed: seed)
        return (0..<(rows * columns)).map { _ in Double(generator.nextNormal()) }
    }

    /// ‖approximation − exact‖_F / ‖exact‖_F, and 0 when both are zero.
    private func relativeError(_ approximation: [Double], _ exact: [Double]) -> Double {
        let difference = zip(approximation, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let norm = exact.reduce(0) { $0 + $1 * $1 }
        return difference == 0 ? 0 : (difference / norm).squareRoot()
    }

    /// max |XᵀX − I| for the columns of a row-major `rows` × `columns` matrix (or its rows).
    private func orthonormalityError(_ x: [Double], rows: Int, columns: Int, ofRows: Bool) -> Double {
        let vectors = ofRows ? rows : columns, length = ofRows ? columns : rows
        func element(_ vector: Int, _ t: Int) -> Double { ofRows ? x[vector * columns + t] : x[t * columns + vector] }
        var worst = 0.0
        for a in 0..<vectors {
            for b in a..<vectors {
                let product = (0..<length).reduce(0) { $0 + element(a, $1) * element(b, $1) }
                worst = max(worst, abs(product - (a == b ? 1 : 0)))
            }
        }
        return worst
    }

    private func assertValidDecomposition(_ matrix: [Double], _ rows: Int, _ columns: Int,
                                          file: StaticString = #filePath, line: UInt = #line) throws -> SingularValueDecomposition {
        let svd = try SingularValueDecomposition(matrix, rows: rows, columns: columns)
        let k = min(rows, columns)
        XCTAssertEqual(svd.singularValues.count, k, file: file, line: line)
        XCTAssertEqual(svd.u.count, rows * k, file: file, line: line)
        XCTAssertEqual(svd.vTransposed.count, k * columns, file: file, line: line)
        XCTAssertLessThan(relativeError(svd.reconstructed(rank: k), matrix), 1e-12, "full-rank reconstruction", file: file, line: line)
        XCTAssertLessThan(orthonormalityError(svd.u, rows: rows, columns: k, ofRows: false), 1e-12, "UᵀU = I", file: file, line: line)
        XCTAssertLessThan(orthonormalityError(svd.vTransposed, rows: k, columns: columns, ofRows: true), 1e-12, "VᵀV = I", file: file, line: line)
        XCTAssertEqual(svd.singularValues, svd.singularValues.sorted(by: >), "descending", file: file, line: line)
        XCTAssertTrue(svd.singularValues.allSatisfy { $0 >= 0 }, file: file, line: line)
        return svd
    }

    func testReconstructsWideAndTallRandomMatrices() throws {
        // The issue's acceptance case: 300×784 (a LeNet fc1 weight) to < 1e-5 relative; both orientations.
        let wide = randomMatrix(300, 784, seed: 1)
        let start = Date()
        let svd = try assertValidDecomposition(wide, 300, 784)
        print("SVD 300×784: \(svd.sweeps) sweeps, \(String(format: "%.2f", Date().timeIntervalSince(start))) s (checks included)")
        XCTAssertLessThan(relativeError(svd.reconstructed(rank: 300), wide), 1e-5)
        _ = try assertValidDecomposition(randomMatrix(120, 37, seed: 2), 120, 37)
    }

    func testMatchesKnownSingularValues() throws {
        // [[3, 0], [4, 5]]: AᵀA = [[25, 20], [20, 25]], eigenvalues 45 and 5.
        let svd = try assertValidDecomposition([3, 0, 4, 5], 2, 2)
        XCTAssertEqual(svd.singularValues[0], 45.0.squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(svd.singularValues[1], 5.0.squareRoot(), accuracy: 1e-14)
    }

    func testRankDeficientMatrixHasZeroSingularValuesAndOrthonormalVectors() throws {
        // A rank-3 product plus an exactly repeated row and an all-zero matrix.
        let left = randomMatrix(20, 3, seed: 3), right = randomMatrix(3, 12, seed: 4)
        var product = [Double](repeating: 0, count: 20 * 12)
        for i in 0..<20 { for j in 0..<12 { for l in 0..<3 { product[i * 12 + j] += left[i * 3 + l] * right[l * 12 + j] } } }
        let svd = try assertValidDecomposition(product, 20, 12)
        XCTAssertGreaterThan(svd.singularValues[2], 1)
        XCTAssertLessThan(svd.singularValues[3], 1e-12 * svd.singularValues[0])
        XCTAssertEqual(svd.rank(keepingEnergy: 1), 3)

        let repeated = try assertValidDecomposition([1, 2, 3, 1, 2, 3], 2, 3)
        XCTAssertEqual(repeated.singularValues[0], 28.0.squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(repeated.singularValues[1], 0, accuracy: 1e-14)

        let zero = try assertValidDecomposition([Double](repeating: 0, count: 12), 3, 4)
        XCTAssertEqual(zero.singularValues, [0, 0, 0])
    }

    func testSingleRowAndSingleColumn() throws {
        let row = try assertValidDecomposition([3, 4, 0, 0], 1, 4)
        XCTAssertEqual(row.singularValues[0], 5, accuracy: 1e-14)
        let column = try assertValidDecomposition([0, -2, 0], 3, 1)
        XCTAssertEqual(column.singularValues[0], 2, accuracy: 1e-14)
        _ = try assertValidDecomposition([7], 1, 1)
    }

    func testTruncationErrorIsTheDiscardedSpectrum() throws {
        // Eckart–Young: ‖A − A_r‖_F² = Σ_{i ≥ r} σᵢ², the best any rank-r matrix can do.
        let matrix = randomMatrix(60, 90, seed: 5)
        let svd = try SingularValueDecomposition(matrix, rows: 60, columns: 90)
        for rank in [1, 10, 45] {
            let approximation = svd.reconstructed(rank: rank)
            let error = zip(approximation, matrix).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let discarded = svd.singularValues[rank...].reduce(0) { $0 + $1 * $1 }
            XCTAssertEqual(error, discarded, accuracy: 1e-9 * discarded)
            XCTAssertEqual(svd.energy(ofRank: rank), 1 - discarded / matrix.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-12)
        }
        XCTAssertEqual(svd.rank(keepingEnergy: svd.energy(ofRank: 10)), 10)
        XCTAssertEqual(svd.rank(keepingEnergy: svd.energy(ofRank: 10) + 1e-9), 11)
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try SingularValueDecomposition([1, 2, 3], rows: 2, columns: 2))
        XCTAssertThrowsError(try SingularValueDecomposition([], rows: 0, columns: 3))
        assertThrows(try SingularValueDecomposition([1, .nan], rows: 1, columns: 2), SVDError.nonFiniteInput(rows: 1, columns: 2))
        XCTAssertThrowsError(try SingularValueDecomposition(Tensor.zeros([2, 2, 2])))
    }
}
