import XCTest
import SwiftletKernels
@testable import Swiftlet

/// Relative sparse indices with filler entries (Han et al. 2016, fig. 2).
final class RelativeIndexCodingTests: XCTestCase {
    func testLongGapsAreBridgedByFillers() throws {
        // 2-bit fields hold gaps up to 3: the 16 zeros between 3 and 20 need four fillers.
        let indices = try RelativeIndices(positions: [3, 20], indexBits: 2)
        XCTAssertEqual(indices.gaps, [3, 3, 3, 3, 3, 0])
        XCTAssertEqual(indices.isFiller, [false, true, true, true, true, false])
        XCTAssertEqual(indices.positions, [3, 20])
        XCTAssertEqual(indices.end, 21)
    }

    func testRoundTripAtEveryWidthIncludingVeryLongGaps() throws {
        var generator = SeededRandom(seed: 61)
        var positions: [Int] = [0, 1]
        while positions.count < 400 {
            let gap = Bool.random(using: &generator) ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<3000, using: &generator)
            positions.append(positions.last! + 1 + gap)
        }
        for bits in [1, 3, 5, 8, 16] {
            let indices = try RelativeIndices(positions: positions, indexBits: bits)
            XCTAssertEqual(indices.positions, positions, "\(bits)-bit indices")
            XCTAssertTrue(indices.gaps.allSatisfy { $0 <= indices.maximumGap })
            XCTAssertEqual(indices.isFiller.filter { !$0 }.count, positions.count)
            let stored = try RelativeIndices(gaps: indices.gaps, isFiller: indices.isFiller, indexBits: bits)
            XCTAssertEqual(stored, indices)
        }
    }

    func testBadPositionsWidthsAndGapsThrow() {
        XCTAssertThrowsError(try RelativeIndices(positions: [4, 4], indexBits: 3))
        XCTAssertThrowsError(try RelativeIndices(positions: [-1], indexBits: 3))
        XCTAssertThrowsError(try RelativeIndices(positions: [1], indexBits: 0))
        XCTAssertThrowsError(try RelativeIndices(gaps: [8], isFiller: [false], indexBits: 3))
        XCTAssertThrowsError(try RelativeIndices(gaps: [1, 2], isFiller: [false], indexBits: 3))
    }
}
