import XCTest
@testable import SwiftletKernels

/// The sliced ELLPACK layout and its y = x·Wᵀ + b kernel against a Float64 dense product.
final class SlicedEllpackMatrixTests: XCTestCase {
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
        assertSparseProductMatchesDense { weights, rows, columns in
            let matrix = SlicedEllpackMatrix(dense: weights, rows: rows, columns: columns)
            return matrix.linear
        }
    }

    func testEmptyMatrixLeavesOutputAlone() {
        let matrix = SlicedEllpackMatrix(dense: [], rows: 0, columns: 5)
        var y: [Float] = [42]
        matrix.linear(input: [1, 2, 3, 4, 5], batch: 1, bias: nil, output: &y)
        XCTAssertEqual(y, [42])
    }
}

/// Checks a sparse layout's y = x·Wᵀ + b against a Float64 dense product to 1e-5 on odd sizes
/// (a partial last slice, a single row or column), empty rows, an all-zero matrix, batches,
/// with and without bias, and a case large enough to be spread over threads. `build` makes
/// the layout of a dense [rows, columns] matrix and returns its `linear`.
func assertSparseProductMatchesDense(
    file: StaticString = #filePath, line: UInt = #line,
    _ build: (_ weights: [Float], _ rows: Int, _ columns: Int)
        -> (_ input: UnsafePointer<Float>, _ batch: Int, _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>) -> Void
) {
    let cases = [(7, 13, 1, Float(0.3)), (9, 5, 4, 0.5), (3, 6, 2, 0), (1, 17, 1, 0.5), (13, 1, 3, 0.6), (17, 40, 2, 0.3), (10, 19, 2, 1),
                 (300, 784, 1, 0.1), (600, 700, 3, 0.2)]
    for (rows, columns, batch, density) in cases {
        var generator = SeededRandom(seed: UInt64(rows))
        var weights = (0..<rows * columns).map { _ in generator.nextUniform() < density ? generator.nextUniform(-1, 1) : 0 }
        for c in 0..<columns { weights[c] = 0 }  // row 0 empty
        let linear = build(weights, rows, columns)
        let x = (0..<batch * columns).map { _ in generator.nextUniform(-1, 1) }
        let bias = (0..<rows).map { _ in generator.nextUniform(-1, 1) }
        for (useBias, threads) in [(true, 1), (false, 2)] {
            var y = [Float](repeating: .nan, count: batch * rows)
            Parallel.withThreads(threads) {
                y.withUnsafeMutableBufferPointer { out in
                    bias.withUnsafeBufferPointer { b in linear(x, batch, useBias ? b.baseAddress : nil, out.baseAddress!) }
                }
            }
            for n in 0..<batch {
                for r in 0..<rows {
                    var expected = Double(useBias ? bias[r] : 0)
                    for c in 0..<columns { expected += Double(weights[r * columns + c]) * Double(x[n * columns + c]) }
                    XCTAssertEqual(Double(y[n * rows + r]), expected, accuracy: 1e-5, "\(rows)×\(columns) batch \(batch) [\(n), \(r)]",
                                   file: file, line: line)
                }
            }
        }
    }
}
