import Datasets
import Swiftlet

/// A dataset prepared for training: normalisation, augmentation and batch size fixed, its
/// batches delivered as Swiftlet tensors.
public struct ImageData {
    public let dataset: ImageDataset
    public let batchSize: Int
    /// The part of each training epoch this process trains on: the whole set, or one rank's
    /// share in data-parallel training.
    public let shard: DatasetShard
    private let trainLoader: BatchLoader
    private let testLoader: BatchLoader

    /// Throws if either set has no images, the normalisation does not fit the images' channels or
    /// the batch size is not positive. `batchSize` is per process when `shard` is one rank's.
    public init(dataset: ImageDataset, normalization: Normalization, augmentation: Augmentation?, batchSize: Int, seed: UInt64,
                shard: DatasetShard = .whole) throws {
        guard dataset.train.count > 0, dataset.test.count > 0 else {
            throw DatasetError(.empty, file: dataset.name,
                               "needs training and test images, has \(dataset.train.count) training and \(dataset.test.count) test images")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shard = shard
        trainLoader = try BatchLoader(dataset.train, batchSize: batchSize, shuffle: true, seed: seed,
                                      normalization: normalization, augmentation: augmentation)
        testLoader = try BatchLoader(dataset.test, batchSize: Self.evaluationBatchSize, shuffle: false, normalization: normalization)
    }

    /// Images per evaluation batch. Each activation of a CIFAR ResNet-20 takes 64 KB an image:
    /// at 1,000 images (65 MB) every one was a fresh mapping from the kernel, page-faulted in
    /// as it was written, and far out of cache — evaluation ran at 926 img/s against 2,270 at
    /// batch 64 (2 threads, Zen 4). 128 keeps them in reused heap memory.
    public static let evaluationBatchSize = 128

    /// The same preparation of `dataset.holdingOut(validation: count)`: training on all but the
    /// last `count` training images, which become the test set (a validation split).
    public func holdingOut(validation count: Int) throws -> ImageData {
        try ImageData(dataset: dataset.holdingOut(validation: count), normalization: trainLoader.normalization,
                      augmentation: trainLoader.augmentation, batchSize: batchSize, seed: trainLoader.seed, shard: shard)
    }

    /// [channels, height, width] of one image.
    public var imageShape: [Int] { [dataset.train.channels, dataset.train.height, dataset.train.width] }

    /// How many batches one training epoch has (in this process's shard).
    public var trainBatchCount: Int { trainLoader.batchCount(of: shard) }

    /// Training batches of `epoch` (this process's shard of them): shuffled from (seed, epoch),
    /// augmented, last partial batch kept.
    public func trainBatches(epoch: Int) -> LazyMapSequence<BatchSequence, LabeledBatch> {
        trainLoader.labeledBatches(epoch: epoch, shard: shard)
    }

    /// The first `count` training batches of the first epoch's order, of the whole set even in
    /// data-parallel training: what importance scores and int8 calibration look at, which must
    /// come out the same on every rank.
    public func sampleBatches(_ count: Int) -> [LabeledBatch] {
        Array(trainLoader.labeledBatches(epoch: 1).prefix(count))
    }

    /// The first `images` training images, in whole batches (`sampleBatches`): what int8
    /// calibration observes.
    public func calibrationBatches(images: Int) -> [Tensor] {
        sampleBatches(images / batchSize + (images % batchSize == 0 ? 0 : 1)).map(\.images)
    }

    /// Test batches in order, without augmentation.
    public func testBatches() -> LazyMapSequence<BatchSequence, LabeledBatch> {
        testLoader.labeledBatches()
    }

    /// The first test image, normalised, as a batch of one: what a `LatencyTimer` times (of a
    /// validation split, a held-out training image).
    public func firstTestImage() throws -> Tensor {
        var batches = testLoader.labeledBatches().makeIterator()
        // The initialiser refuses a dataset without test images, so there is a first batch.
        guard let first = batches.next() else { return Tensor.zeros([1] + imageShape) }
        return try first.images.sliced(alongAxis: 0, 0..<1)
    }
}
