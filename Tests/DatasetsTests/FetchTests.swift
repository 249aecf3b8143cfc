import XCTest
@testable import Datasets

final class FetchTests: XCTestCase {
    private let content = Make.text(lines: 50)

    /// A one-file dataset whose "canonical URL" refuses connections at once.
    private var tiny: KnownDataset {
        KnownDataset(name: "tiny", files: [KnownFile(relativePath: "tiny/data.gz", url: URL(string: "http://127.0.0.1:9/tiny/data.gz")!,
                                                     verification: .decompressedSHA256(SHA256.hexDigest(content)))],
                     loadPath: "tiny", shippedFolder: nil)
    }

    private func options(cache: URL, mirror: URL?, allowDownload: Bool = false) -> FetchOptions {
        FetchOptions(dataDirectory: cache, mirror: mirror, allowDownload: allowDownload, environment: [:])
    }

    private func cacheContents(_ cache: URL) -> [String] {
        (FileManager.default.enumerator(atPath: cache.path)?.allObjects as? [String] ?? []).sorted()
    }

    func testMirrorFillsTheCacheAndALaterRunNeedsNoMirror() throws {
        let mirror = try Make.temporaryFolder(self), cache = try Make.temporaryFolder(self)
        // Any gzip wrapping of the right content is accepted: verification is of decompressed bytes.
        try Make.write(Make.gzip(content, blockSize: 100), mirror.appendingPathComponent("tiny/data.gz"))
        let location = try fetch(tiny, options: options(cache: cache, mirror: mirror), verifyCached: true) { _ in }
        XCTAssertEqual(location.path, cache.appendingPathComponent("tiny").path)
        XCTAssertEqual(cacheContents(cache), ["tiny", "tiny/data.gz"])

        try FileManager.default.removeItem(at: mirror)
        var messages = [String]()
        _ = try fetch(tiny, options: options(cache: cache, mirror: nil), verifyCached: true) { messages.append($0) }
        XCTAssertTrue(messages.contains { $0.contains("cached copy verified") }, "\(messages)")
        XCTAssertEqual(try readMaybeCompressed(cache.appendingPathComponent("tiny/data.gz")), content)
    }

    /// A killed fetch left `.data.gz.partial-<pid>` (up to 170 MB for CIFAR-10) that nothing removed.
    func testTheTemporaryOfAKilledFetchIsRemovedByTheNext() throws {
        let mirror = try Make.temporaryFolder(self), cache = try Make.temporaryFolder(self)
        try Make.write(Make.gzip(content, blockSize: 100), mirror.appendingPathComponent("tiny/data.gz"))
        var deadPID: pid_t = 4_000_000
        while kill(deadPID, 0) == 0 || errno != ESRCH { deadPID += 1 }
        let stale = ".data.gz.partial-\(deadPID)", live = ".data.gz.partial-1"  // init's, always running
        for name in [stale, live] { try Make.write(Array("half".utf8), cache.appendingPathComponent("tiny/\(name)")) }
        var messages = [String]()
        _ = try fetch(tiny, options: options(cache: cache, mirror: mirror), verifyCached: true) { messages.append($0) }
        XCTAssertEqual(cacheContents(cache), ["tiny", "tiny/\(live)", "tiny/data.gz"], "a live process's temporary stays")
        XCTAssertTrue(messages.contains("\(cache.path)/tiny/\(stale): removed, left by an interrupted fetch"), "\(messages)")
    }

    func testChecksumMismatchLeavesNoCacheEntry() throws {
        let mirror = try Make.temporaryFolder(self), cache = try Make.temporaryFolder(self)
        try Make.write(Make.gzip(content + [0]), mirror.appendingPathComponent("tiny/data.gz"))
        assertDatasetError(.checksumMismatch, mentioning: mirror.appendingPathComponent("tiny/data.gz").path, "SHA-256") {
            try fetch(tiny, options: options(cache: cache, mirror: mirror), verifyCached: true) { _ in }
        }
        XCTAssertEqual(cacheContents(cache), [])
    }

    func testCorruptMirrorFileLeavesNoCacheEntry() throws {
        let mirror = try Make.temporaryFolder(self), cache = try Make.temporaryFolder(self)
        var packed = Make.gzip(content)
        packed[packed.count - 7] ^= 1
        try Make.write(packed, mirror.appendingPathComponent("tiny/data.gz"))
        assertDatasetError(.crcMismatch, mentioning: "tiny/data.gz") {
            try fetch(tiny, options: options(cache: cache, mirror: mirror), verifyCached: true) { _ in }
        }
        XCTAssertEqual(cacheContents(cache), [])
    }

    func testABadCachedCopyIsReplaced() throws {
        let mirror = try Make.temporaryFolder(self), cache = try Make.temporaryFolder(self)
        try Make.write(Make.gzip(content), mirror.appendingPathComponent("tiny/data.gz"))
        try Make.write(Make.gzip([1, 2, 3]), cache.appendingPathComponent("tiny/data.gz"))
        _ = try fetch(tiny, options: options(cache: cache, mirror: mirror), verifyCached: true) { _ in }
        XCTAssertEqual(try readMaybeCompressed(cache.appendingPathComponent("tiny/data.gz")), content)
    }

    func testNothingAvailableOfflineSaysWhatToDo() throws {
        let cache = try Make.temporaryFolder(self)
        assertDatasetError(.missingFile, mentioning: "tiny/data.gz", "--mirror", "SWIFTLET_MIRROR") {
            try fetch(tiny, options: options(cache: cache, mirror: nil), verifyCached: true) { _ in }
        }
        assertDatasetError(.downloadFailed, mentioning: "http://127.0.0.1:9/tiny/data.gz", "--mirror", "SWIFTLET_MIRROR") {
            try fetch(tiny, options: options(cache: cache, mirror: cache, allowDownload: true), verifyCached: true) { _ in }
        }
        XCTAssertEqual(cacheContents(cache), [])
    }

    func testUnknownNamesAreRejected() {
        assertDatasetError(.unknownDataset, mentioning: "imagenet") { try fetch("imagenet") }
        assertDatasetError(.unknownDataset, mentioning: "imagenet") { try loadDataset("imagenet") }
    }

    func testOptionsComeFromTheEnvironment() {
        let fromEnvironment = FetchOptions(environment: ["SWIFTLET_DATA": "/data/cache", "SWIFTLET_MIRROR": "/data/mirror"])
        XCTAssertEqual(fromEnvironment.dataDirectory.path, "/data/cache")
        XCTAssertEqual(fromEnvironment.mirror?.path, "/data/mirror")
        let explicit = FetchOptions(dataDirectory: URL(fileURLWithPath: "/x"), mirror: URL(fileURLWithPath: "/y"),
                                    environment: ["SWIFTLET_DATA": "/data/cache", "SWIFTLET_MIRROR": "/data/mirror"])
        XCTAssertEqual(explicit.dataDirectory.path, "/x")
        XCTAssertEqual(explicit.mirror?.path, "/y")
        let defaults = FetchOptions(environment: ["XDG_CACHE_HOME": "/home/u/.cache"])
        XCTAssertEqual(defaults.dataDirectory.path, "/home/u/.cache/swiftlet")
        XCTAssertNil(defaults.mirror)
    }

    func testArchiveVerificationChecksEveryListedMember() throws {
        let members: [(String, [UInt8])] = [("set/a.bin", [1, 2, 3]), ("set/b.bin", [4, 5])]
        let archive = Make.gzip(Make.tar(files: members))
        let good = Verification.archive(archiveMD5: "00", memberSHA256: ["a.bin": SHA256.hexDigest([1, 2, 3]), "b.bin": SHA256.hexDigest([4, 5])])
        XCTAssertNoThrow(try good.verify(archive, file: "set.tar.gz"))
        let canonical = Verification.archive(archiveMD5: MD5.hexDigest(archive), memberSHA256: ["a.bin": "wrong"])
        XCTAssertNoThrow(try canonical.verify(archive, file: "set.tar.gz"))
        let wrong = Verification.archive(archiveMD5: "00", memberSHA256: ["a.bin": SHA256.hexDigest([1, 2, 3]), "b.bin": "wrong"])
        assertDatasetError(.checksumMismatch, mentioning: "set.tar.gz", "set/b.bin") { try wrong.verify(archive, file: "set.tar.gz") }
        let appended = Make.gzip(Make.tar(files: members + [("set/b.bin", [6])]))
        assertDatasetError(.corruptStream, mentioning: "set.tar.gz", "two members named b.bin") { try good.verify(appended, file: "set.tar.gz") }
        let missing = Verification.archive(archiveMD5: "00", memberSHA256: ["c.bin": "any"])
        assertDatasetError(.checksumMismatch, mentioning: "set.tar.gz", "c.bin") { try missing.verify(archive, file: "set.tar.gz") }
    }
}
