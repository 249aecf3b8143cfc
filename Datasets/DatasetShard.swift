/// One rank's share of every epoch in data-parallel training, with the semantics of PyTorch's
/// `DistributedSampler` (without `drop_last`): every rank shuffles the whole set the same way
/// (same seed and epoch), the order is padded by repeating its start until it divides evenly,
/// and rank `r` of `count` takes positions r, r + count, r + 2·count, … So the shards of one
/// epoch never overlap (except for the padding, under `count` images), every rank has as many
/// images and batches as the others, and batch k of all ranks together holds the images of
/// batch k of one process with a `count` times larger batch, in the same order.
public struct DatasetShard: Sendable, Equatable {
    /// This rank, 0 ..< `count`.
    public let rank: Int
    /// How many ranks share the set.
    public let count: Int

    /// The whole set: what one process without data parallelism trains on.
    public static let whole = DatasetShard(uncheckedRank: 0, count: 1)

    /// Rank `rank` of `count`; throws unless 0 ≤ rank < count.
    public init(rank: Int, count: Int) throws {
        guard count > 0, (0..<count).contains(rank) else {
            throw DatasetError(.invalidShard, file: "dataset shard", "rank must be in 0..<count with count ≥ 1, got rank \(rank) of \(count)")
        }
        self.init(uncheckedRank: rank, count: count)
    }

    private init(uncheckedRank rank: Int, count: Int) {
        self.rank = rank
        self.count = count
    }

    /// How many of `total` images each rank gets (the padded total divided by `count`).
    public func size(of total: Int) -> Int {
        total / count + (total % count == 0 ? 0 : 1)
    }

    /// This rank's part of an epoch's `order`.
    public func slice(_ order: [Int]) -> [Int] {
        guard count > 1, !order.isEmpty else { return order }
        return (0..<size(of: order.count)).map { order[(rank + $0 * count) % order.count] }
    }
}
