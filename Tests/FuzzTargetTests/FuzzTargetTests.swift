import Foundation
import SwiftletFuzzTargets
import SwiftletKernels
import XCTest

/// Runs every fuzz target in-process, as CI can without libFuzzer: each seed of the committed
/// corpus must read without error (so the seeds keep up with the formats), then a few thousand
/// deterministic mutations of them must each end in a value or an error, never a trap — the
/// same entry functions `Tests/Fuzz/run-fuzzers.sh` hands to libFuzzer (docs/fuzzing.md).
final class FuzzTargetTests: XCTestCase {
    private static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")
    private static let mutationsPerTarget = 5000

    private func seeds(of target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { ($0, [UInt8](try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }

    private func check(_ target: FuzzTarget) throws {
        let seeds = try seeds(of: target)
        XCTAssertFalse(seeds.isEmpty, "no seeds in Tests/Fuzz/Corpus/\(target.rawValue)")
        for seed in seeds {
            XCTAssertNoThrow(try target.read(seed.bytes), "seed \(target.rawValue)/\(seed.name)")
        }
        var generator = SeededRandom(seed: 25)
        for _ in 0..<Self.mutationsPerTarget {
            var bytes = seeds[generator.nextInt(below: seeds.count)].bytes
            for _ in 0...generator.nextInt(below: 4) { Self.mutate(&bytes, &generator) }
            target.run(bytes)
        }
    }

    /// Values that break size and float arithmetic, as 4 little-endian bytes: 0, −1, Int32.max,
    /// Int32.min, NaN, +∞, the smallest subnormal, 3e38.
    private static let interestingWords: [UInt32] = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x7FC0_0000, 0x7F80_0000, 1, 0x7F61_B1E6]
    /// Decimal numbers for header fields (shapes, offsets, metadata).
    private static let interestingNumbers = ["0", "1", "4294967295", "1152921504606846976", "4611686018427387904", "9223372036854775807", "-1"]

    /// One libFuzzer-like mutation: a bit flip, a random byte, an interesting word, an
    /// interesting decimal in place of a run of digits, an insertion, a deletion, a copied
    /// range, or a truncation.
    private static func mutate(_ bytes: inout [UInt8], _ generator: inout SeededRandom) {
        guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: generator.next())]; return }
        let position = generator.nextInt(below: bytes.count)
        switch generator.nextInt(below: 8) {
        case 0: bytes[position] ^= 1 << UInt8(generator.nextInt(below: 8))
        case 1: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
        case 2:
            let word = interestingWords[generator.nextInt(below: interestingWords.count)]
            for i in 0..<min(4, bytes.count - position) { bytes[position + i] = UInt8(truncatingIfNeeded: word >> (8 * i)) }
        case 3:
            let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
            guard let start = bytes[position...].firstIndex(where: isDigit) else { return }
            let end = bytes[start...].firstIndex { !isDigit($0) } ?? bytes.count
            bytes.replaceSubrange(start..<end, with: Array(interestingNumbers[generator.nextInt(below: interestingNumbers.count)].utf8))
        case 4: bytes.insert(contentsOf: (0...generator.nextInt(below: 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: position)
        case 5: bytes.removeSubrange(position..<min(bytes.count, position + 1 + generator.nextInt(below: 16)))
        case 6:
            let source = generator.nextInt(below: bytes.count)
            bytes.insert(contentsOf: bytes[source..<min(bytes.count, source + 1 + generator.nextInt(below: 64))], at: position)
        default: bytes.removeSubrange(position...)
        }
    }

    func testFloatCheckpointReader() throws { try check(.safetensors) }
    func testQuantizedCheckpointReader() throws { try check(.quantized) }
    func testIDXReader() throws { try check(.idx) }
    func testGzipReader() throws { try check(.gzip) }
    func testTarReader() throws { try check(.tar) }
    func testCIFAR10Loader() throws { try check(.cifar10) }

    func testEveryTargetHasATest() {
        XCTAssertEqual(FuzzTarget.allCases.map(\.rawValue), ["safetensors", "quantized", "idx", "gzip", "tar", "cifar10"])
    }
}
