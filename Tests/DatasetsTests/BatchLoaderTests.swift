import XCTest
@testable import Datasets

final class BatchLoaderTests: XCTestCase {
    /// `count` one-channel images whose first pixel is their index (so batches can be traced).
    private func set(count: Int, channels: Int = 1, side: Int = 4) throws -> ImageSet {
        let size = channels * side * side
        var pixels = [UInt8](repeating: 0, count: count * size)
        for image in 0..<count {
            for i in 0..<size { pixels[image * size + i] = UInt8(truncatingIfNeeded: i == 0 ? image : image * 7 + i) }
        }
        return try ImageSet(channels: channels, height: side, width: side, pixels: pixels,
                            labels: (0..<count).map { UInt8($0 % 3) }, classNames: ["a", "b", "c"], file: "test set")
    }

    private func firstPixels(_ batch: Batch, _ normalization: Normalization = .unit(channels: 1)) -> [Int] {
        let size = batch.channels * batch.height * batch.width
        return (0..<batch.count).map { Int((batch.images[$0 * size] * normalization.std[0] + normalization.mean[0]) * 255 + 0.5) }
    }

    func testBatchCountsAndDropLast() throws {
        let images = try set(count: 10)
        let keep = try BatchLoader(images, batchSize: 4, shuffle: false, normalization: .unit(channels: 1))
        XCTAssertEqual(keep.batchCount, 3)
        XCTAssertEqual(Array(keep.batches()).map(\.count), [4, 4, 2])
        let drop = try BatchLoader(images, batchSize: 4, shuffle: false, dropLast: true, normalization: .unit(channels: 1))
        XCTAssertEqual(drop.batchCount, 2)
        XCTAssertEqual(Array(drop.batches()).map(\.count), [4, 4])
        let huge = try BatchLoader(images, batchSize: .max, shuffle: false, normalization: .unit(channels: 1))
        XCTAssertEqual(huge.batchCount, 1, "count + batchSize - 1 overflowed before")
        XCTAssertEqual(Array(huge.batches()).map(\.count), [10])
        let batch = Array(keep.batches())[2]
        XCTAssertEqual(batch.shape, [2, 1, 4, 4])
        XCTAssertEqual(batch.labels, [2, 0])
        XCTAssertEqual(firstPixels(batch), [8, 9])
    }

    func testShuffleIsAPermutationReproducibleFromSeedAndEpoch() throws {
        let images = try set(count: 100)
        let loader = try BatchLoader(images, batchSize: 16, seed: 7, normalization: .unit(channels: 1))
        let epoch0 = Array(loader.batches(epoch: 0)).flatMap { firstPixels($0) }
        XCTAssertEqual(epoch0.sorted(), Array(0..<100))
        XCTAssertNotEqual(epoch0, Array(0..<100))
        XCTAssertEqual(Array(loader.batches(epoch: 0)).flatMap { firstPixels($0) }, epoch0)
        let again = try BatchLoader(images, batchSize: 16, seed: 7, normalization: .unit(channels: 1))
        XCTAssertEqual(again.order(epoch: 3), loader.order(epoch: 3))
        XCTAssertNotEqual(loader.order(epoch: 1), loader.order(epoch: 0))
        let otherSeed = try BatchLoader(images, batchSize: 16, seed: 8, normalization: .unit(channels: 1))
        XCTAssertNotEqual(otherSeed.order(epoch: 0), loader.order(epoch: 0))
        // Labels travel with their images.
        for batch in loader.batches(epoch: 2) {
            XCTAssertEqual(batch.labels, firstPixels(batch).map { Int32($0 % 3) })
        }
    }

    func testPerChannelNormalisation() throws {
        let pixels: [UInt8] = [0, 255, 51, 102]  // one 2-channel 1×2 image
        let image = try ImageSet(channels: 2, height: 1, width: 2, pixels: pixels, labels: [0], classNames: ["x"], file: "one")
        let centered = try BatchLoader(image, batchSize: 1, normalization: .centered(channels: 2))
        XCTAssertEqual(Array(centered.batches())[0].images, [-1, 1, -0.6, -0.2], accuracy: 1e-6)
        let custom = try BatchLoader(image, batchSize: 1, normalization: Normalization(mean: [0, 0.2], std: [1, 0.1]))
        XCTAssertEqual(Array(custom.batches())[0].images, [0, 1, 0, 2], accuracy: 1e-5)
    }

    func testFlipAndCropMoveWholeImages() throws {
        let side = 6, padding = 2
        let images = try set(count: 40, side: side)
        let loader = try BatchLoader(images, batchSize: 8, seed: 3, normalization: .unit(channels: 1),
                                     augmentation: Augmentation(randomCropPadding: padding, horizontalFlip: true))
        var seenOffsets = Set<[Int]>()
        for (index, batch) in loader.batches(epoch: 1).enumerated() {
            let order = loader.order(epoch: 1)
            for slot in 0..<batch.count {
                let source = order[index * 8 + slot]
                let output = Array(batch.images[(slot * side * side)..<((slot + 1) * side * side)])
                // The output must be exactly one of the padded, shifted, possibly mirrored crops.
                var match: [Int]?
                for dy in -padding...padding { for dx in -padding...padding { for flip in 0...1 {
                    let candidate = (0..<(side * side)).map { i -> Float in
                        let y = i / side + dy, x = (flip == 1 ? side - 1 - i % side : i % side) + dx
                        guard (0..<side).contains(y), (0..<side).contains(x) else { return 0 }
                        return Float(images.pixels[source * side * side + y * side + x]) / 255
                    }
                    if zip(candidate, output).allSatisfy({ abs($0 - $1) < 1e-6 }) { match = [dy, dx, flip] }
                } } }
                XCTAssertNotNil(match, "image \(source) is not a crop/flip of its source")
                if let match { seenOffsets.insert(match) }
            }
        }
        XCTAssertGreaterThan(seenOffsets.count, 10, "augmentation barely varies: \(seenOffsets)")
        // Augmentation is reproducible too.
        XCTAssertEqual(Array(loader.batches(epoch: 1)).map(\.images), Array(loader.batches(epoch: 1)).map(\.images))
        XCTAssertNotEqual(Array(loader.batches(epoch: 1)).map(\.images), Array(loader.batches(epoch: 2)).map(\.images))
    }

    func testPrefetchedBatchesMatchDirectOnes() throws {
        let loader = try BatchLoader(try set(count: 50), batchSize: 7, seed: 1, normalization: .centered(channels: 1),
                                     augmentation: .init(randomCropPadding: 1, horizontalFlip: true))
        let order = loader.order(epoch: 5)
        let direct = (0..<loader.batchCount).map { loader.batch($0, epoch: 5, order: order, shard: .whole).images }
        XCTAssertEqual(Array(loader.batches(epoch: 5)).map(\.images), direct)
    }

    func testInvalidSettingsAreRejected() throws {
        let images = try set(count: 4)
        assertDatasetError(.invalidBatchSize, mentioning: "batch size") {
            try BatchLoader(images, batchSize: 0, normalization: .unit(channels: 1))
        }
        assertDatasetError(.invalidNormalization, mentioning: "3 means", "1-channel") {
            try BatchLoader(images, batchSize: 2, normalization: .unit(channels: 3))
        }
        assertDatasetError(.invalidNormalization, mentioning: "positive") {
            try BatchLoader(images, batchSize: 2, normalization: Normalization(mean: [0], std: [0]))
        }
        assertDatasetError(.invalidAugmentation, mentioning: "padding") {
            try BatchLoader(images, batchSize: 2, normalization: .unit(channels: 1), augmentation: .init(randomCropPadding: -1))
        }
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
