import XCTest
@testable import Datasets

final class CIFAR10Tests: XCTestCase {
    private let classes = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"

    /// The archive's members, with two records per training batch and three test records.
    private func members(testLabels: [UInt8] = [7, 8, 9]) -> [(String, [UInt8])] {
        let folder = "cifar-10-batches-bin/"
        var members: [(String, [UInt8])] = [(folder + "batches.meta.txt", Array(classes.utf8))]
        for batch in 1...5 {
            let labels = [UInt8(batch), UInt8(batch - 1)]
            members.append((folder + "data_batch_\(batch).bin", Make.cifarRecords(labels: labels, seed: batch)))
        }
        members.append((folder + "test_batch.bin", Make.cifarRecords(labels: testLabels, seed: 9)))
        members.append((folder + "readme.html", Array("<html/>".utf8)))
        return members
    }

    private func writeArchive(_ members: [(String, [UInt8])]) throws -> URL {
        let url = try Make.temporaryFolder(self).appendingPathComponent("cifar-10-binary.tar.gz")
        try Make.write(Make.gzip(Make.tar(files: members)), url)
        return url
    }

    func testReadsTheArchive() throws {
        let url = try writeArchive(members())
        XCTAssertEqual(try DatasetSource(url.path), .cifar10Archive(url))
        let dataset = try loadDataset(url.path)
        XCTAssertEqual(dataset.train.count, 10)
        XCTAssertEqual(dataset.test.count, 3)
        XCTAssertEqual([dataset.train.channels, dataset.train.height, dataset.train.width], [3, 32, 32])
        XCTAssertEqual(dataset.train.labels, [1, 0, 2, 1, 3, 2, 4, 3, 5, 4])
        XCTAssertEqual(dataset.test.labels, [7, 8, 9])
        XCTAssertEqual(dataset.train.classNames.count, 10)
        XCTAssertEqual(dataset.train.classNames.last, "truck")
        // Image 3 is record 1 of batch 2: pixels follow its label byte unchanged (already CHW).
        XCTAssertEqual(Array(dataset.train.pixels[(3 * 3072)..<(4 * 3072)]), Array(Make.cifarRecords(labels: [0, 0], seed: 2)[3074...]))
    }

    func testReadsAnExtractedFolder() throws {
        let folder = try Make.temporaryFolder(self)
        for (path, bytes) in members() { try Make.write(bytes, folder.appendingPathComponent(path)) }
        XCTAssertEqual(try DatasetSource(folder.path), .cifar10Folder(URL(fileURLWithPath: folder.path)))
        let dataset = try loadDataset(folder.path)
        XCTAssertEqual(dataset.train.count, 10)
        XCTAssertEqual(dataset.test.labels, [7, 8, 9])
    }

    func testLabelOutOfRangeNamesTheMember() throws {
        let url = try writeArchive(members(testLabels: [1, 10]))
        assertDatasetError(.labelOutOfRange, mentioning: url.path, "test_batch.bin", "label 10", "record 1") { try loadDataset(url.path) }
    }

    func testRecordCountMustMatchTheFileSize() throws {
        var broken = members()
        broken[2].1.removeLast()
        let url = try writeArchive(broken)
        assertDatasetError(.sizeMismatch, mentioning: "data_batch_2.bin", "3073") { try loadDataset(url.path) }
    }

    func testMissingMembersAreReported() throws {
        let url = try writeArchive(members().filter { !$0.0.hasSuffix("test_batch.bin") })
        assertDatasetError(.missingFile, mentioning: url.path, "test_batch.bin") { try loadDataset(url.path) }
        let noMeta = try writeArchive(members().filter { !$0.0.hasSuffix("meta.txt") })
        assertDatasetError(.missingFile, mentioning: "batches.meta.txt") { try loadDataset(noMeta.path) }
    }

    func testDuplicateMembersAreRefused() throws {
        // A second test batch appended after the verified one would be the one read.
        let url = try writeArchive(members() + [("cifar-10-batches-bin/test_batch.bin", Make.cifarRecords(labels: [0], seed: 4))])
        assertDatasetError(.corruptStream, mentioning: url.path, "two members named test_batch.bin") { try loadDataset(url.path) }
    }

    func testCorruptCompressionIsReported() throws {
        let url = try writeArchive(members())
        var bytes = try readFileBytes(url)
        bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32 field of the trailer
        try Make.write(bytes, url)
        assertDatasetError(.crcMismatch, mentioning: url.path) { try loadDataset(url.path) }
    }

    /// A small file that inflates past what any CIFAR-10 archive or batch file holds is
    /// refused while inflating, naming the file, instead of filling memory.
    func testDecompressionBombsAreRefused() throws {
        let archive = try Make.temporaryFolder(self).appendingPathComponent("cifar-10-binary.tar.gz")
        let bomb = Make.zeroBomb(count: CIFAR10.archiveLimit + 1)
        XCTAssertLessThan(bomb.count, 2 << 20)
        try Make.write(bomb, archive)
        assertDatasetError(.sizeMismatch, mentioning: archive.path, "inflates past 268435456 bytes") { try loadDataset(archive.path) }

        let folder = try Make.temporaryFolder(self)
        for (name, bytes) in members() where name.hasSuffix(".bin") || name.hasSuffix(".txt") {
            try Make.write(bytes, folder.appendingPathComponent(String(name.split(separator: "/").last!)))
        }
        let batch = folder.appendingPathComponent("data_batch_3.bin")
        try FileManager.default.removeItem(at: batch)
        try Make.write(Make.zeroBomb(count: CIFAR10.fileLimit + 1), folder.appendingPathComponent("data_batch_3.bin.gz"))
        assertDatasetError(.sizeMismatch, mentioning: "data_batch_3.bin.gz", "inflates past 67108864 bytes") { try loadDataset(folder.path) }
    }
}
