import XCTest
@testable import SwiftletKernels

/// The sliced ELLPACK layout and its y = x·Wᵀ + b kernel against a Float64 dense product.
final class SlicedEllpackMatrixTests: XCTestCase {
    private func sparseMatrix(rows: Int, columns: Int, density: Float, seed: UInt64) -> [Float] {
        var generator = SeededRandom(seed: seed)
        return (0..<rows * columns).map { _ in generator.nextUniform() < density ? generator.nextUniform(-1, 1) : 0 }
    }

    func testLayoutSortsRowsIntoPaddedSlices() {
        // Row lengths 1, 0, 3, 2 → order 2, 3, 0, 1; one slice (rows 4..7 unused), width 3.
        let dense: [Float] = [0, 5, 0, 0,
                              0, 0, 0, 0,
                              1, 0, 2, 3,
                              0, 4, 6, 0]
        let matrix = SlicedEllpackMatrix(dense: dense, rows: 4, columns: 4)
        XCTAssertEqual(matrix.rowOrder, [2, 3, 0, 1])
        XCTAssertEqual(matrix.sliceStarts, [0, 3])
        XCTAssertEqual(matrix.nonzeroCount, 6)
        // Entry j of each lane; padding repeats the lane's last column (0 for an empty row) with weight 0.
        XCTAssertEqual(Array(matrix.columnIndices[0..<4]), [0, 1, 1, 0])
        XCTAssertEqual(Array(matrix.values[0..<4]), [1, 4, 5, 0])
        XCTAssertEqual(Array(matrix.columnIndices[16..<20]), [3, 2, 1, 0])
        XCTAssertEqual(Array(matrix.values[16..<20]), [3, 0, 0, 0])
        XCTAssertEqual(matrix.storageBytes, 4 * 24 + 2 * 24 + 4 * 4 + 4 * 2)
    }

    func testLinearMatchesDenseProduct() {
        // Odd sizes (a partial last slice, a single row or column), empty rows, an all-zero
        // matrix, batches, and a case large enough to be spread over threads.
        let cases = [(7, 13, 1, Float(0.3)), (9, 5, 4, 0.5), (3, 6, 2, 0), (1, 17, 1, 0.5), (13, 1, 3, 0.6),
                     (300, 784, 1, 0.1), (600, 700, 3, 0.2)]
        for (rows, columns, batch, density) in cases {
            var weights = sparseMatrix(rows: rows, columns: columns, density: density, seed: UInt64(rows))
            for c in 0..<columns { weights[c] = 0 }  // row 0 empty
            let matrix = SlicedEllpackMatrix(dense: weights, rows: rows, columns: columns)
            var generator = SeededRandom(seed: 7)
            let x = (0..<batch * columns).map { _ in generator.nextUniform(-1, 1) }
            let bias = (0..<rows).map { _ in generator.nextUniform(-1, 1) }
            for (useBias, threads) in [(true, 1), (false, 2)] {
                var y = [Float](repeating: .nan, count: batch * rows)
                Parallel.withThreads(threads) {
                    y.withUnsafeMutableBufferPointer { out in
                        bias.withUnsafeBufferPointer { b in
                            matrix.linear(input: x, batch: batch, bias: useBias ? b.baseAddress : nil, output: out.baseAddress!)
                        }
                    }
                }
                for n in 0..<batch {
                    for r in 0..<rows {
                        var expected = Double(useBias ? bias[r] : 0)
                        for c in 0..<columns { expected += Double(weights[r * columns + c]) * Double(x[n * columns + c]) }
                        XCTAssertEqual(Double(y[n * rows + r]), expected, accuracy: 1e-5, "\(rows)×\(columns) batch \(batch) [\(n), \(r)]")
                    }
                }
            }
        }
    }

    func testEmptyMatrixLeavesOutputAlone() {
        let matrix = SlicedEllpackMatrix(dense: [], rows: 0, columns: 5)
        var y: [Float] = [42]
        matrix.linear(input: [1, 2, 3, 4, 5], batch: 1, bias: nil, output: &y)
        XCTAssertEqual(y, [42])
    }
}
