import Foundation
import XCTest
@testable import Datasets

/// Small builders for the files the readers accept, so every test makes exactly the
/// (broken) input it needs.
enum Make {
    /// The plain texts behind GzipFixtures.swift (same formulas as make_gzip_fixtures.py).
    static func text(lines: Int) -> [UInt8] {
        Array((0..<lines).map { "line \($0): the quick brown fox jumps \($0 * $0 % 97) times\n" }.joined().utf8)
    }

    static func noise(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    }

    static func fixture(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64)!)
    }

    static func littleEndian32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    /// A gzip file whose DEFLATE stream is only stored blocks (no compression needed).
    static func gzip(_ data: [UInt8], blockSize: Int = 65535) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var start = 0
        repeat {
            let end = min(data.count, start + blockSize)
            let length = end - start
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out + littleEndian32(CRC32.checksum(data)) + littleEndian32(UInt32(data.count))
    }

    /// A gzip file of `count` zero bytes, compressed about 160-fold: one fixed-Huffman block of
    /// a literal 0 and then copies of 258 bytes from distance 1 — what a decompression bomb
    /// looks like. The trailer's CRC-32 and length are left 0 (readers must stop before them).
    static func zeroBomb(count: Int) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var bits = 0, bitCount = 0
        func put(_ value: Int, _ width: Int) {
            bits |= value << bitCount
            bitCount += width
            while bitCount >= 8 { out.append(UInt8(bits & 0xFF)); bits >>= 8; bitCount -= 8 }
        }
        // Huffman codes go most significant bit first: reverse them into the LSB-first stream.
        func code(_ value: Int, _ width: Int) { put((0..<width).reduce(0) { $0 << 1 | (value >> $1) & 1 }, width) }
        put(1, 1); put(1, 2)                              // last block, fixed Huffman
        code(0b0011_0000, 8)                              // literal 0
        for _ in 0..<((count - 1) / 258) { code(0b1100_0101, 8); code(0, 5) }  // length 258, distance 1
        for _ in 0..<((count - 1) % 258) { code(0b0011_0000, 8) }
        code(0, 7)                                        // end of block
        if bitCount > 0 { put(0, 8 - bitCount) }
        return out + [UInt8](repeating: 0, count: 8)
    }

    /// A ustar archive. `type` is the header's type flag ("0" file, "5" folder, "L" long name).
    static func tar(_ members: [(path: String, bytes: [UInt8], type: Character)]) -> [UInt8] {
        var out = [UInt8]()
        for member in members {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) {
                for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte }
            }
            put(String(member.path.prefix(100)), at: 0)
            put("0000644", at: 100)
            put(String(repeating: "0", count: 11 - String(member.bytes.count, radix: 8).count)
                + String(member.bytes.count, radix: 8), at: 124)
            put("00000000000", at: 136)
            put(String(member.type), at: 156)
            put("ustar", at: 257)
            put("00", at: 263)
            sealTarHeader(&header)
            out += header + member.bytes
            out += [UInt8](repeating: 0, count: (512 - member.bytes.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    /// Writes a tar header's checksum field: six octal digits, NUL, space.
    static func sealTarHeader(_ header: inout [UInt8]) {
        for i in 148..<156 { header[i] = UInt8(ascii: " ") }
        let sum = String(header[0..<512].reduce(0) { $0 + Int($1) }, radix: 8)
        for (i, digit) in (String(repeating: "0", count: 6 - sum.count) + sum).utf8.enumerated() { header[148 + i] = digit }
        header[154] = 0
    }

    static func tar(files: [(String, [UInt8])]) -> [UInt8] {
        tar(files.map { (path: $0.0, bytes: $0.1, type: "0") })
    }

    /// An IDX file: type byte, big-endian dimensions, payload.
    static func idx(type: UInt8 = 0x08, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for size in dimensions { out += (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * (3 - $0))) } }
        return out + payload
    }

    /// CIFAR records: one label byte and 3072 pixel bytes each (pixel = image + offset).
    static func cifarRecords(labels: [UInt8], seed: Int = 0) -> [UInt8] {
        labels.enumerated().flatMap { index, label in
            [label] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index &* 13 &+ seed) }
        }
    }

    /// A fresh empty folder, removed when the test ends.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    static func write(_ bytes: [UInt8], _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }
}

/// Asserts that `body` throws a `DatasetError` of `kind` whose message mentions `mentioning`.
func assertDatasetError<T>(_ kind: DatasetError.Kind, mentioning: String..., file: StaticString = #filePath,
                           line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error, nothing was thrown", file: file, line: line)
    } catch let error as DatasetError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for text in mentioning {
            XCTAssertTrue(error.description.contains(text), "'\(error)' does not mention '\(text)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}
