import XCTest
@testable import Datasets

/// The real datasets: MNIST ships with the repository; CIFAR-10 (and a fetch of MNIST) needs
/// a mirror folder named by SWIFTLET_MIRROR (here: ../shared/datasets).
final class RealDatasetTests: XCTestCase {
    private static let mnistTrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    private static let mnistTestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    func testShippedMNISTHasThePublishedContent() throws {
        let mnist = try loadDataset("mnist", options: FetchOptions(allowDownload: false, environment: [:]))
        XCTAssertEqual(mnist.train.count, 60000)
        XCTAssertEqual(mnist.test.count, 10000)
        XCTAssertEqual([mnist.train.channels, mnist.train.height, mnist.train.width], [1, 28, 28])
        XCTAssertEqual(mnist.train.labelCounts, Self.mnistTrainCounts)
        XCTAssertEqual(mnist.test.labelCounts, Self.mnistTestCounts)
        XCTAssertEqual(mnist.train.classNames, (0...9).map(String.init))

        let known = KnownDataset.mnist
        let shipped = try XCTUnwrap(known.shippedFolder)
        for file in known.files {
            let url = shipped.appendingPathComponent(file.url.lastPathComponent)
            XCTAssertNoThrow(try file.verification.verify(readFileBytes(url), file: url.path))
        }
    }

    private func mirror() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["SWIFTLET_MIRROR"], !path.isEmpty else {
            throw XCTSkip("SWIFTLET_MIRROR is not set: point it at a folder laid out like the canonical downloads")
        }
        return URL(fileURLWithPath: path)
    }

    func testFetchingFromTheMirrorFillsTheCacheForLaterRuns() throws {
        let mirror = try mirror()
        let cache = try Make.temporaryFolder(self)
        let withMirror = FetchOptions(dataDirectory: cache, mirror: mirror, allowDownload: false, environment: [:])
        let archive = try fetch("cifar10", options: withMirror)
        XCTAssertEqual(archive.path, cache.appendingPathComponent("cifar-10-binary.tar.gz").path)
        let mnistFolder = try fetch("mnist", options: withMirror)
        XCTAssertTrue(IDXFolder.isComplete(mnistFolder))

        let cacheOnly = FetchOptions(dataDirectory: cache, mirror: nil, allowDownload: false, environment: [:])
        let cifar = try loadDataset("cifar10", options: cacheOnly)
        XCTAssertEqual(cifar.train.count, 50000)
        XCTAssertEqual(cifar.test.count, 10000)
        XCTAssertEqual(cifar.train.labelCounts, [Int](repeating: 5000, count: 10))
        XCTAssertEqual(cifar.test.labelCounts, [Int](repeating: 1000, count: 10))
        XCTAssertEqual(cifar.train.classNames, ["airplane", "automobile", "bird", "cat", "deer",
                                                "dog", "frog", "horse", "ship", "truck"])
        let mnist = try IDXFolder.load(mnistFolder, name: "mnist")
        XCTAssertEqual(mnist.train.labelCounts, Self.mnistTrainCounts)
    }
}
