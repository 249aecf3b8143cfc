#if SWIFTLET_AVX2
import XCTest
@testable import SwiftletKernels

/// The AVX2 windowed layout and its y = x·Wᵀ + b kernel against a Float64 dense product
/// (compiled where Package.swift defines SWIFTLET_AVX2: the haswell build and AVX-512 hosts).
final class WindowedEllpackMatrixTests: XCTestCase {
    func testLayoutPlacesWindowsGreedilyAndPadsTheSliceToEightSteps() {
        // 3 rows, 20 columns. Row lengths 1, 3, 0 → order 1, 0, 2.
        var dense = [Float](repeating: 0, count: 3 * 20)
        dense[0 * 20 + 5] = 1
        dense[1 * 20 + 2] = 2; dense[1 * 20 + 7] = 3; dense[1 * 20 + 19] = 4
        let matrix = WindowedEllpackMatrix(dense: dense, rows: 3, columns: 20)
        XCTAssertEqual(matrix.rowOrder, [1, 0, 2])
        // Window 2..<10 takes columns 2 (lane 0) and 5 (lane 1); 7..<15 takes 7; the last
        // window ends at the matrix's edge (12..<20) and takes 19; five padding steps follow.
        XCTAssertEqual(matrix.windowStarts, [2, 7, 12, 0, 0, 0, 0, 0])
        XCTAssertEqual(matrix.sliceStarts, [0, 8])
        XCTAssertEqual(matrix.laneOffsets, [0x700, 3, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(matrix.values[0..<3]), [2, 1, 0])
        XCTAssertEqual(Array(matrix.values[8..<10]), [3, 0])
        XCTAssertEqual(Array(matrix.values[16..<18]), [4, 0])
        XCTAssertEqual(matrix.values.count(where: { $0 != 0 }), 4)
        XCTAssertEqual(matrix.nonzeroCount, 4)
        XCTAssertEqual(matrix.storageBytes, 4 * 64 + 2 * 8 + 4 * 8 + 4 * 3 + 4 * 2)
    }

    func testLinearMatchesDenseProduct() {
        assertSparseProductMatchesDense { weights, rows, columns in
            let matrix = WindowedEllpackMatrix(dense: weights, rows: rows, columns: columns)
            return matrix.linear
        }
    }

    func testEmptyMatrixLeavesOutputAlone() {
        let matrix = WindowedEllpackMatrix(dense: [], rows: 0, columns: 5)
        var y: [Float] = [42]
        matrix.linear(input: [1, 2, 3, 4, 5], batch: 1, bias: nil, output: &y)
        XCTAssertEqual(y, [42])
    }
}
#endif
