import XCTest
import SwiftletKernels
@testable import Datasets

final class TarTests: XCTestCase {
    private let archiveName = "archive.tar"

    func testListsRegularFilesWithTheirBytes() throws {
        let first = Make.noise(700), second = Array("hello".utf8)
        let archive = Make.tar([(path: "folder/", bytes: [], type: "5"),
                                (path: "folder/first.bin", bytes: first, type: "0"),
                                (path: "folder/second.txt", bytes: second, type: "0")])
        let entries = try Tar.entries(archive, file: archiveName)
        XCTAssertEqual(entries.map(\.path), ["folder/first.bin", "folder/second.txt"])
        XCTAssertEqual(Array(archive[entries[0].range]), first)
        XCTAssertEqual(Array(archive[entries[1].range]), second)
    }

    func testGNULongNamesAndPaxPaths() throws {
        let longPath = String(repeating: "deep/", count: 30) + "file.bin"
        let pax = Array("\(longPath.count + 11) path=\(longPath)\n".utf8)
        let archive = Make.tar([(path: "././@LongLink", bytes: Array(longPath.utf8) + [0], type: "L"),
                                (path: "truncated-name", bytes: [1], type: "0"),
                                (path: "PaxHeader", bytes: pax, type: "x"),
                                (path: "other-truncated-name", bytes: [2], type: "0")])
        let entries = try Tar.entries(archive, file: archiveName)
        XCTAssertEqual(entries.map(\.path), [longPath, longPath])
    }

    func testAbsoluteAndParentPathsAreRejected() {
        for path in ["/etc/passwd", "../outside.bin", "data/../../outside.bin", "data/.."] {
            let archive = Make.tar(files: [("ok.bin", [1]), (path, [2])])
            assertDatasetError(.unsafePath, mentioning: archiveName, path) { try Tar.entries(archive, file: archiveName) }
        }
        // Folders and links are checked too, though their contents are never returned.
        let folder = Make.tar([(path: "../up/", bytes: [], type: "5")])
        assertDatasetError(.unsafePath, mentioning: "../up/") { try Tar.entries(folder, file: archiveName) }
        let longName = Make.tar([(path: "././@LongLink", bytes: Array("/abs/path".utf8), type: "L"),
                                 (path: "harmless", bytes: [1], type: "0")])
        assertDatasetError(.unsafePath, mentioning: "/abs/path") { try Tar.entries(longName, file: archiveName) }
    }

    func testTruncatedArchivesAreReported() {
        let archive = Make.tar(files: [("data.bin", Make.noise(2000))])
        assertDatasetError(.truncated, mentioning: archiveName, "2000") { try Tar.entries(Array(archive[..<1500]), file: archiveName) }
        assertDatasetError(.truncated, mentioning: archiveName) { try Tar.entries(Array(archive[..<300]), file: archiveName) }
    }

    func testImpossibleBase256SizeIsReported() {
        var archive = Make.tar(files: [("data.bin", [1, 2, 3])])
        for i in 124..<136 { archive[i] = 0xFF }  // base-256 size field, far beyond Int.max
        var header = Array(archive[0..<512])
        Make.sealTarHeader(&header)
        archive.replaceSubrange(0..<512, with: header)
        assertDatasetError(.corruptStream, mentioning: archiveName, "size") { try Tar.entries(archive, file: archiveName) }
    }

    func testDamagedHeaderChecksumIsReported() {
        var archive = Make.tar(files: [("data.bin", [1, 2, 3])])
        archive[0] = UInt8(ascii: "X")
        assertDatasetError(.corruptStream, mentioning: archiveName, "checksum") { try Tar.entries(archive, file: archiveName) }
    }

    /// Damage anywhere, header checksums re-sealed so the parser gets past them: typed errors only.
    func testRandomDamageNeverCrashes() {
        let original = Make.tar(files: [("a/first.bin", Make.noise(700)), ("a/second.bin", [1, 2])])
        var random = SeededRandom(seed: 9)
        for _ in 0..<300 {
            var damaged = original
            let header = random.nextInt(below: 2) * 1536  // the first or the second header
            damaged[header + random.nextInt(below: 512)] = UInt8(random.nextInt(below: 256))
            var block = Array(damaged[header..<(header + 512)])
            Make.sealTarHeader(&block)
            damaged.replaceSubrange(header..<(header + 512), with: block)
            do {
                _ = try Tar.entries(damaged, file: archiveName)
            } catch {
                XCTAssertTrue(error is DatasetError, "\(error)")
            }
        }
    }
}
