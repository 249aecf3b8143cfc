#if SWIFTLET_AVX512
import XCTest
@testable import SwiftletKernels

/// The AVX-512 blocked layout and its y = x·Wᵀ + b kernel against a Float64 dense product
/// (compiled where Package.swift defines SWIFTLET_AVX512).
final class BlockedEllpackMatrixTests: XCTestCase {
    func testLayoutSortsRowsAndPadsEachBlock() {
        // 3 rows, 40 columns (blocks 0..<32 and 32..<40). Row lengths 1, 3, 0 → order 1, 0, 2.
        var dense = [Float](repeating: 0, count: 3 * 40)
        dense[0 * 40 + 5] = 1                                          // row 0: block 0
        dense[1 * 40 + 2] = 2; dense[1 * 40 + 7] = 3; dense[1 * 40 + 39] = 4  // row 1: 2 in block 0, 1 in block 1
        let matrix = BlockedEllpackMatrix(dense: dense, rows: 3, columns: 40)
        XCTAssertEqual(matrix.rowOrder, [1, 0, 2])
        XCTAssertEqual(matrix.stepCounts, [2, 1])
        XCTAssertEqual(matrix.sliceStarts, [0, 3])
        XCTAssertEqual(matrix.nonzeroCount, 4)
        // Step 0 of block 0, lanes 0–2 (rows 1, 0, 2); offsets are within the block.
        XCTAssertEqual(Array(matrix.columnOffsets[0..<3]), [2, 5, 0])
        XCTAssertEqual(Array(matrix.values[0..<3]), [2, 1, 0])
        // Block 1 (the third step): column 39 is offset 7.
        XCTAssertEqual(Array(matrix.columnOffsets[32..<35]), [7, 0, 0])
        XCTAssertEqual(Array(matrix.values[32..<35]), [4, 0, 0])
        XCTAssertEqual(matrix.storageBytes, 4 * 48 + 48 + 4 * 3 + 4 * 2 + 4 * 2)
    }

    func testLinearMatchesDenseProduct() {
        assertSparseProductMatchesDense { weights, rows, columns in
            let matrix = BlockedEllpackMatrix(dense: weights, rows: rows, columns: columns)
            return matrix.linear
        }
    }

    func testEmptyMatrixLeavesOutputAlone() {
        let matrix = BlockedEllpackMatrix(dense: [], rows: 0, columns: 5)
        var y: [Float] = [42]
        matrix.linear(input: [1, 2, 3, 4, 5], batch: 1, bias: nil, output: &y)
        XCTAssertEqual(y, [42])
    }
}
#endif
