import Dispatch
import SwiftletKernels

/// Cuts an `ImageSet` into normalised (and optionally augmented) mini-batches.
///
/// Everything random is a function of `(seed, epoch)`: the shuffle of each epoch, and the
/// crop offsets and flips of each batch (seeded by `(seed, epoch, batch index)`), so a
/// run is reproducible and does not depend on which thread prepared which batch.
public struct BatchLoader: Sendable {
    /// The images batches are cut from.
    public let set: ImageSet
    /// Images per batch (the last may have fewer unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the images in a new order.
    public let shuffle: Bool
    /// Fixes the shuffles, crops and flips of every epoch.
    public let seed: UInt64
    /// Whether a final partial batch is left out.
    public let dropLast: Bool
    /// Per-channel mean and std applied to every image.
    public let normalization: Normalization
    /// Random crops and flips, or nil for none (test sets).
    public let augmentation: Augmentation?
    private let scale: [Float]
    private let shift: [Float]

    /// - Parameters:
    ///   - set: the images to cut into batches.
    ///   - batchSize: images per batch, at least 1.
    ///   - shuffle: visit the images in a new order every epoch.
    ///   - seed: fixes every shuffle, crop and flip.
    ///   - dropLast: leave out the last batch when it would be smaller than `batchSize`.
    ///   - normalization: per-channel mean and std, one value per channel of `set`.
    ///   - augmentation: random crops and flips, for training sets only.
    public init(_ set: ImageSet, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
                normalization: Normalization, augmentation: Augmentation? = nil) throws {
        let what = "batch loader"
        guard batchSize > 0 else {
            throw DatasetError(.invalidBatchSize, file: what, "batch size must be positive, got \(batchSize)")
        }
        if let augmentation, augmentation.randomCropPadding < 0 {
            throw DatasetError(.invalidAugmentation, file: what, "random-crop padding must not be negative, got \(augmentation.randomCropPadding)")
        }
        (scale, shift) = try normalization.affine(channels: set.channels, file: what)
        self.set = set
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.normalization = normalization
        self.augmentation = augmentation
    }

    /// Batches per epoch. Written without `count + batchSize - 1`, which overflows for a batch
    /// size near `Int.max`.
    public var batchCount: Int { batchCount(of: .whole) }

    /// Batches per epoch in one rank's `shard` of the set.
    public func batchCount(of shard: DatasetShard) -> Int {
        let images = shard.size(of: self.set.count)
        return images / batchSize + (dropLast || images % batchSize == 0 ? 0 : 1)
    }

    /// The order in which `epoch` visits the images.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<set.count)
        guard shuffle else { return order }
        // Fisher–Yates written out rather than `shuffle(using:)`, whose algorithm the standard
        // library does not promise to keep: the order must stay the same across toolchains.
        var random = SeededRandom(seed: BatchLoader.mix(seed, UInt64(truncatingIfNeeded: epoch), 0))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, random.nextInt(below: i + 1))
        }
        return order
    }

    /// One epoch's batches. Iterating prepares each next batch on a background thread while
    /// the current one is being used.
    public func batches(epoch: Int = 0) -> BatchSequence {
        batches(epoch: epoch, shard: .whole)
    }

    /// One data-parallel rank's `shard` of an epoch's batches, prepared as `batches(epoch:)`'s.
    public func batches(epoch: Int, shard: DatasetShard) -> BatchSequence {
        BatchSequence(loader: self, epoch: epoch, shard: shard)
    }

    /// Batch `index` of `shard`'s part of an epoch, whose image order is `order`. The crops and
    /// flips are drawn per (epoch, batch, rank), so ranks do not repeat each other's.
    func batch(_ index: Int, epoch: Int, order: [Int], shard: DatasetShard) -> Batch {
        let start = index * batchSize
        let members = order[start..<start + min(batchSize, order.count - start)]
        let (channels, height, width) = (set.channels, set.height, set.width)
        let imageSize = set.imageSize
        let stream = UInt64(index) &* UInt64(shard.count) &+ UInt64(shard.rank)
        var random = SeededRandom(seed: BatchLoader.mix(seed, UInt64(truncatingIfNeeded: epoch), stream &+ 1))
        let padding = augmentation?.randomCropPadding ?? 0
        let flips = augmentation?.horizontalFlip ?? false
        var images = [Float](repeating: 0, count: members.count * imageSize)
        images.withUnsafeMutableBufferPointer { images in
            set.pixels.withUnsafeBufferPointer { pixels in
                for (slot, image) in members.enumerated() {
                    // Output pixel (y, x) comes from source pixel (y + dy, x' + dx), x' = x or mirrored.
                    let dy = padding > 0 ? random.nextInt(below: 2 * padding + 1) - padding : 0
                    let dx = padding > 0 ? random.nextInt(below: 2 * padding + 1) - padding : 0
                    let flip = flips && random.next() & 1 == 1
                    for channel in 0..<channels {
                        let source = pixels.baseAddress! + image * imageSize + channel * height * width
                        let target = images.baseAddress! + slot * imageSize + channel * height * width
                        let (scale, shift) = (self.scale[channel], self.shift[channel])
                        for y in 0..<height {
                            let sourceY = y + dy
                            for x in 0..<width {
                                let sourceX = (flip ? width - 1 - x : x) + dx
                                let inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width
                                let pixel = inside ? Float(source[sourceY * width + sourceX]) : 0
                                target[y * width + x] = pixel * scale + shift
                            }
                        }
                    }
                }
            }
        }
        return Batch(images: images, labels: members.map { Int32(set.labels[$0]) }, count: members.count,
                     channels: channels, height: height, width: width)
    }

    /// Combines seed, epoch and batch into one generator seed (SplitMix in `SeededRandom`
    /// then spreads it); the odd constants keep nearby triples far apart.
    private static func mix(_ seed: UInt64, _ epoch: UInt64, _ batch: UInt64) -> UInt64 {
        seed ^ (epoch &* 0x9E37_79B9_7F4A_7C15) ^ (batch &* 0xD1B5_4A32_D192_ED03)
    }
}

/// One epoch of batches; see `BatchLoader.batches(epoch:)`.
public struct BatchSequence: Sequence, Sendable {
    let loader: BatchLoader
    let epoch: Int
    let shard: DatasetShard

    public func makeIterator() -> BatchIterator {
        BatchIterator(loader: loader, epoch: epoch, shard: shard)
    }
}

/// Hands out batches in order while the next one is prepared on a background queue.
public struct BatchIterator: IteratorProtocol {
    private let loader: BatchLoader
    private let epoch: Int
    private let shard: DatasetShard
    private let order: [Int]
    private let batchCount: Int
    private let queue = DispatchQueue(label: "swiftlet.batch-prefetch")
    private var nextIndex = 0
    private var pending: PreparedBatch?

    init(loader: BatchLoader, epoch: Int, shard: DatasetShard) {
        self.loader = loader
        self.epoch = epoch
        self.shard = shard
        order = shard.slice(loader.order(epoch: epoch))
        batchCount = loader.batchCount(of: shard)
    }

    public mutating func next() -> Batch? {
        guard nextIndex < batchCount else { return nil }
        let current = pending ?? prepare(nextIndex)
        nextIndex += 1
        pending = nextIndex < batchCount ? prepare(nextIndex) : nil
        return current.wait()
    }

    private func prepare(_ index: Int) -> PreparedBatch {
        PreparedBatch(queue: queue) { [loader, epoch, order, shard] in loader.batch(index, epoch: epoch, order: order, shard: shard) }
    }
}

/// A batch being built on a background queue. Unchecked `Sendable`: `batch` is written before
/// `ready` is signalled and read only after it is waited on.
private final class PreparedBatch: @unchecked Sendable {
    private var batch: Batch?
    private let ready = DispatchSemaphore(value: 0)

    init(queue: DispatchQueue, build: @escaping @Sendable () -> Batch) {
        queue.async {
            self.batch = build()
            self.ready.signal()
        }
    }

    /// Blocks until the batch is built; called once.
    func wait() -> Batch {
        ready.wait()
        guard let batch else { preconditionFailure("a prepared batch is signalled only after it is stored") }
        return batch
    }
}
