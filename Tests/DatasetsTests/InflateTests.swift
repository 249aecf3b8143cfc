import XCTest
import SwiftletKernels
@testable import Datasets

final class InflateTests: XCTestCase {
    private let fileName = "fixture.gz"

    func testDecodesStreamsMadeByZlib() throws {
        let cases: [(String, [UInt8])] = [
            (GzipFixtureBytes.textLevel9, Make.text(lines: 3000)),
            (GzipFixtureBytes.textLevel1, Make.text(lines: 3000)),
            (GzipFixtureBytes.textFixedHuffman, Make.text(lines: 300)),
            (GzipFixtureBytes.noiseLevel6, Make.noise(5000)),
            (GzipFixtureBytes.noiseStored, Make.noise(3000)),
            (GzipFixtureBytes.twoMembers, Make.text(lines: 10) + Make.noise(100)),
            (GzipFixtureBytes.empty, []),
        ]
        for (compressed, expected) in cases {
            XCTAssertEqual(try Gzip.decompress(Make.fixture(compressed), file: fileName), expected)
        }
    }

    func testStoredBlocksSpanningSeveralBlocks() throws {
        let data = Make.noise(150_000)
        XCTAssertEqual(try Gzip.decompress(Make.gzip(data), file: fileName), data)
        XCTAssertEqual(try Gzip.decompress(Make.gzip(data, blockSize: 1000), file: fileName), data)
    }

    func testOptionalHeaderFieldsAreSkipped() throws {
        let plain = Make.fixture(GzipFixtureBytes.textLevel9)
        // FHCRC | FEXTRA | FNAME | FCOMMENT, each with content, before the same deflate stream.
        var header: [UInt8] = [0x1F, 0x8B, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]
        header += [3, 0, 0xAA, 0xBB, 0xCC] + Array("name.txt".utf8) + [0] + Array("a comment".utf8) + [0] + [0x12, 0x34]
        XCTAssertEqual(try Gzip.decompress(header + plain[10...], file: fileName), Make.text(lines: 3000))
    }

    func testWrongCRCIsReported() {
        var bytes = Make.fixture(GzipFixtureBytes.textLevel9)
        bytes[bytes.count - 8] ^= 0x01
        assertDatasetError(.crcMismatch, mentioning: fileName, "CRC-32") { try Gzip.decompress(bytes, file: fileName) }
    }

    func testWrongLengthIsReported() {
        var bytes = Make.fixture(GzipFixtureBytes.textLevel9)
        bytes[bytes.count - 4] ^= 0x01
        assertDatasetError(.lengthMismatch, mentioning: fileName, "length") { try Gzip.decompress(bytes, file: fileName) }
    }

    func testTruncatedStreamsAreReported() {
        let bytes = Make.fixture(GzipFixtureBytes.textLevel9)
        for cut in [5, 12, bytes.count / 2, bytes.count - 9, bytes.count - 3] {
            assertDatasetError(.truncated, mentioning: fileName) { try Gzip.decompress(Array(bytes[..<cut]), file: fileName) }
        }
        let stored = Make.gzip(Make.noise(1000))
        assertDatasetError(.truncated, mentioning: fileName, "stored block") { try Gzip.decompress(Array(stored[..<500]), file: fileName) }
    }

    func testCorruptDeflateStreamsAreReported() {
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        let trailer = [UInt8](repeating: 0, count: 8)
        // Block type 3 does not exist.
        assertDatasetError(.corruptStream, mentioning: fileName, "block type") {
            try Gzip.decompress(header + [0x07, 0, 0, 0] + trailer, file: fileName)
        }
        // A stored block whose length and complement disagree.
        assertDatasetError(.corruptStream, mentioning: fileName, "complement") {
            try Gzip.decompress(header + [0x01, 0x05, 0x00, 0x00, 0x00] + trailer, file: fileName)
        }
        // Fixed Huffman: length code 257 then distance 1 with nothing decoded yet.
        assertDatasetError(.corruptStream, mentioning: fileName, "distance") {
            try Gzip.decompress(header + [0x03, 0x02, 0x00, 0x00] + trailer, file: fileName)
        }
        // A dynamic header whose code-length code is over-subscribed (all 19 lengths = 1).
        let dynamic: [UInt8] = [0x05, 0xE0] + [UInt8](repeating: 0x49, count: 12)
        assertDatasetError(.corruptStream, mentioning: fileName) { try Gzip.decompress(header + dynamic + trailer, file: fileName) }
        assertDatasetError(.badMagic, mentioning: fileName) { try Gzip.decompress([0x1F, 0x8C] + header, file: fileName) }
    }

    /// Random damage anywhere must end in a typed error (or, if it hit only header fields
    /// the reader skips, the right output): never a crash or a hang.
    func testRandomCorruptionNeverCrashes() {
        let original = Make.fixture(GzipFixtureBytes.textLevel9)
        let expected = Make.text(lines: 3000)
        var random = SeededRandom(seed: 4)
        for _ in 0..<400 {
            var damaged = original
            for _ in 0..<(1 + random.nextInt(below: 3)) {
                damaged[random.nextInt(below: damaged.count)] ^= UInt8(1 + random.nextInt(below: 255))
            }
            do {
                let decoded = try Gzip.decompress(damaged, file: fileName)
                XCTAssertEqual(decoded, expected)
            } catch {
                XCTAssertTrue(error is DatasetError, "\(error)")
            }
        }
    }

    func testPlainFilesPassThrough() throws {
        let folder = try Make.temporaryFolder(self)
        let data = Make.noise(100)
        try Make.write(data, folder.appendingPathComponent("plain"))
        try Make.write(Make.gzip(data), folder.appendingPathComponent("packed.gz"))
        XCTAssertEqual(try readMaybeCompressed(folder.appendingPathComponent("plain")), data)
        XCTAssertEqual(try readMaybeCompressed(folder.appendingPathComponent("packed.gz")), data)
        assertDatasetError(.missingFile, mentioning: "absent.gz") {
            try readMaybeCompressed(folder.appendingPathComponent("absent.gz"))
        }
    }
}
