import XCTest
import SwiftletKernels
@testable import Swiftlet

/// Canonical Huffman coding: optimal lengths on known distributions, exact round trips,
/// stored tables, and refusal of impossible or truncated input.
final class HuffmanCodeTests: XCTestCase {
    func testDyadicDistributionGetsItsEntropyLengths() throws {
        let code = try HuffmanCode(frequencies: [8, 4, 2, 1, 1])
        XCTAssertEqual(code.lengths, [1, 2, 3, 4, 4])
    }

    func testKnownDistributionCostsTheOptimum() throws {
        // CLRS §16.3: 'a'…'f' with these counts need 224 bits at best (lengths 1,3,3,3,4,4).
        let frequencies = [45, 13, 12, 16, 9, 5]
        let code = try HuffmanCode(frequencies: frequencies)
        XCTAssertEqual(code.encodedBits(frequencies: frequencies), 224)
        XCTAssertEqual(code.lengths.sorted(), [1, 3, 3, 3, 4, 4])
        XCTAssertEqual(code.lengths[0], 1)
    }

    func testRoundTripOfASkewedStreamThroughTheStoredTable() throws {
        var generator = SeededRandom(seed: 61)
        let symbols = (0..<3000).map { _ in min(Int(-log2(Double.random(in: 1e-9..<1, using: &generator))), 19) }
        var frequencies = [Int](repeating: 0, count: 24)  // symbols 20…23 never occur
        for symbol in symbols { frequencies[symbol] += 1 }
        let code = try HuffmanCode(frequencies: frequencies)
        XCTAssertEqual(code.lengths[20...].allSatisfy { $0 == 0 }, true)

        var writer = BitWriter()
        code.writeLengths(into: &writer)
        try code.encode(symbols, into: &writer)
        writer.alignToByte()
        XCTAssertEqual(HuffmanCode.tableBytes(alphabetSize: 24), 15)
        XCTAssertEqual(writer.bytes.count, (24 * 5 + code.encodedBits(frequencies: frequencies) + 7) / 8)
        var reader = BitReader(writer.bytes)
        let stored = try HuffmanCode.readLengths(alphabetSize: 24, from: &reader)
        XCTAssertEqual(stored.lengths, code.lengths)
        XCTAssertEqual(try stored.decode(count: symbols.count, from: &reader), symbols)
    }

    func testASingleSymbolTakesOneBitEach() throws {
        let code = try HuffmanCode(frequencies: [0, 7, 0])
        XCTAssertEqual(code.lengths, [0, 1, 0])
        var writer = BitWriter()
        try code.encode([1, 1, 1], into: &writer)
        writer.alignToByte()
        var reader = BitReader(writer.bytes)
        XCTAssertEqual(try code.decode(count: 3, from: &reader), [1, 1, 1])
    }

    func testImpossibleLengthsUnknownSymbolsAndTruncationThrow() throws {
        XCTAssertThrowsError(try HuffmanCode(lengths: [1, 1, 1]))  // Kraft sum 3/2
        XCTAssertThrowsError(try HuffmanCode(lengths: [40, 1]))
        XCTAssertThrowsError(try HuffmanCode(frequencies: [3, -1]))
        let code = try HuffmanCode(frequencies: [5, 3, 0])
        var writer = BitWriter()
        XCTAssertThrowsError(try code.encode([2], into: &writer))
        try code.encode([0, 1, 0, 1, 1, 0, 0, 1, 1], into: &writer)
        writer.alignToByte()
        var reader = BitReader(writer.bytes)  // nine 1-bit codes: the last is in a second byte
        XCTAssertThrowsError(try code.decode(count: 17, from: &reader)) { error in
            XCTAssertEqual(error as? CompressedModelError, .truncated(atByte: 2))
        }
    }
}
