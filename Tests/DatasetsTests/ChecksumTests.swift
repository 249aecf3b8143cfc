import XCTest
@testable import Datasets

final class ChecksumTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hexDigest(bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hexDigest(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hexDigest([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testMD5KnownVectors() {
        XCTAssertEqual(MD5.hexDigest(bytes("")), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(MD5.hexDigest(bytes("abc")), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(MD5.hexDigest(bytes("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
                       "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testCRC32KnownVectors() {
        XCTAssertEqual(CRC32.checksum(bytes("")), 0)
        XCTAssertEqual(CRC32.checksum(bytes("123456789")), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(bytes("The quick brown fox jumps over the lazy dog")), 0x414F_A339)
    }

    func testCRC32ContinuesAcrossChunks() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32.checksum(data)
        let first = data[..<333].withUnsafeBytes { CRC32.checksum($0) }
        let both = data[333...].withUnsafeBytes { CRC32.checksum($0, continuing: first) }
        XCTAssertEqual(both, whole)
    }
}
