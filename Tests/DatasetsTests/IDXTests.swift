import XCTest
@testable import Datasets

final class IDXTests: XCTestCase {
    private let fileName = "images.idx"

    func testRoundTripOfBytesAndWiderTypes() throws {
        let pixels = Make.noise(2 * 3 * 4)
        let images = try IDXArray(parsing: Make.idx(dimensions: [2, 3, 4], payload: pixels), file: fileName)
        XCTAssertEqual(images.elementType, .uint8)
        XCTAssertEqual(images.dimensions, [2, 3, 4])
        XCTAssertEqual(images.data, pixels)

        let ints = try IDXArray(parsing: Make.idx(type: 0x0C, dimensions: [3], payload: [UInt8](repeating: 7, count: 12)), file: fileName)
        XCTAssertEqual(ints.elementType, .int32)
        XCTAssertEqual(ints.dimensions, [3])
    }

    func testCompressedFilesAreRead() throws {
        let folder = try Make.temporaryFolder(self)
        let url = folder.appendingPathComponent("labels.gz")
        try Make.write(Make.gzip(Make.idx(dimensions: [5], payload: [0, 1, 2, 3, 4])), url)
        XCTAssertEqual(try IDXArray(contentsOf: url).data, [0, 1, 2, 3, 4])
    }

    func testCompressedFilesInflateNoFurtherThanTheirHeaderSays() throws {
        // Five labels, then a megabyte nobody asked for: refused once the 13 bytes the header
        // implies are passed, before the rest is inflated.
        let bomb = Make.gzip(Make.idx(dimensions: [5], payload: [UInt8](repeating: 0, count: 1 << 20)), blockSize: 4096)
        assertDatasetError(.sizeMismatch, mentioning: fileName, "inflates past 13 bytes") { try IDXArray(fileBytes: bomb, file: fileName) }
        let header = try bomb.withUnsafeBufferPointer { try Gzip.prefix($0, count: 8, file: fileName) }
        XCTAssertEqual(header, [0, 0, 8, 1, 0, 0, 0, 5])
    }

    func testWrongMagicIsReported() {
        for header: [UInt8] in [[1, 0, 8, 1], [0, 0, 0x07, 1], [0, 0, 8, 0], [0x1F, 0x8B, 8, 0]] {
            assertDatasetError(.badMagic, mentioning: fileName, "magic") {
                try IDXArray(parsing: header + [0, 0, 0, 1, 5], file: fileName)
            }
        }
    }

    func testTruncatedAndOversizedFilesAreReported() {
        let full = Make.idx(dimensions: [2, 2, 2], payload: Make.noise(8))
        assertDatasetError(.truncated, mentioning: fileName, "8") { try IDXArray(parsing: Array(full[..<20]), file: fileName) }
        assertDatasetError(.truncated, mentioning: fileName, "header") { try IDXArray(parsing: Array(full[..<10]), file: fileName) }
        assertDatasetError(.truncated, mentioning: fileName) { try IDXArray(parsing: [0, 0], file: fileName) }
        assertDatasetError(.sizeMismatch, mentioning: fileName, "9") { try IDXArray(parsing: full + [0], file: fileName) }
        // A header claiming far more data than the file holds.
        let huge = Make.idx(dimensions: [60000, 28, 28], payload: Make.noise(100))
        assertDatasetError(.truncated, mentioning: fileName, "47040000") { try IDXArray(parsing: huge, file: fileName) }
    }

    /// Writes a tiny MNIST-like folder; `labels` go in both sets.
    private func makeFolder(labels: [UInt8], testImages: Int? = nil, classes: String? = nil) throws -> URL {
        let folder = try Make.temporaryFolder(self)
        let images = Make.idx(dimensions: [labels.count, 2, 3], payload: Make.noise(labels.count * 6))
        try Make.write(Make.gzip(images), folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try Make.write(Make.idx(dimensions: [labels.count], payload: labels), folder.appendingPathComponent("train-labels-idx1-ubyte"))
        let testCount = testImages ?? labels.count
        try Make.write(Make.idx(dimensions: [testCount, 2, 3], payload: Make.noise(testCount * 6)),
                       folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Make.write(Make.gzip(Make.idx(dimensions: [labels.count], payload: labels)),
                       folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        if let classes { try Make.write(Array(classes.utf8), folder.appendingPathComponent("classes.txt")) }
        return folder
    }

    func testAnyFolderLaidOutLikeMNISTLoads() throws {
        let folder = try makeFolder(labels: [0, 2, 1, 2])
        XCTAssertEqual(try DatasetSource(folder.path), .idxFolder(URL(fileURLWithPath: folder.path)))
        let dataset = try loadDataset(folder.path, options: FetchOptions(allowDownload: false))
        XCTAssertEqual(dataset.train.count, 4)
        XCTAssertEqual([dataset.train.channels, dataset.train.height, dataset.train.width], [1, 2, 3])
        XCTAssertEqual(dataset.train.pixels, Make.noise(24))
        XCTAssertEqual(dataset.test.labels, [0, 2, 1, 2])
        XCTAssertEqual(dataset.train.classNames, ["0", "1", "2"])
        XCTAssertEqual(dataset.train.labelCounts, [1, 1, 2])

        let named = try makeFolder(labels: [0, 1], classes: "shirt\nshoe\nbag\n")
        XCTAssertEqual(try loadDataset(named.path).train.classNames, ["shirt", "shoe", "bag"])
    }

    func testLabelOutOfRangeIsReported() throws {
        let folder = try makeFolder(labels: [0, 1, 3], classes: "a\nb\nc\n")
        assertDatasetError(.labelOutOfRange, mentioning: "train-labels-idx1-ubyte", "label 3", "item 2") {
            try loadDataset(folder.path)
        }
        assertDatasetError(.labelOutOfRange, mentioning: "label 10") {
            try IDXFolder.load(try makeFolder(labels: [10]), name: "digits", classNames: (0...9).map(String.init))
        }
    }

    func testImageAndLabelCountsMustAgree() throws {
        let folder = try makeFolder(labels: [0, 1, 1], testImages: 2)
        assertDatasetError(.sizeMismatch, mentioning: "t10k-labels-idx1-ubyte.gz", "3 labels", "2 images") {
            try loadDataset(folder.path)
        }
    }

    func testMissingFilesAreReported() throws {
        let folder = try makeFolder(labels: [0, 1])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        assertDatasetError(.missingFile, mentioning: folder.path, "t10k-images-idx3-ubyte") { try DatasetSource(folder.path) }
        assertDatasetError(.missingFile, mentioning: "t10k-images-idx3-ubyte") { try IDXFolder.load(folder, name: "partial") }
        assertDatasetError(.unknownDataset, mentioning: "/no/such/place") { try DatasetSource("/no/such/place") }
    }

    func testImagesMustBeBytesOfRankThree() throws {
        let folder = try makeFolder(labels: [0, 1])
        try Make.write(Make.idx(type: 0x0C, dimensions: [2, 1, 1], payload: [UInt8](repeating: 0, count: 8)),
                       folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        assertDatasetError(.badMagic, mentioning: "t10k-images-idx3-ubyte", "rank 3") { try loadDataset(folder.path) }
    }
}
