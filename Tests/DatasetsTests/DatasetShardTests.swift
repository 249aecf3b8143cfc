import XCTest
@testable import Datasets

final class DatasetShardTests: XCTestCase {
    /// DistributedSampler's rule: rank r takes positions r, r + n, … of the order padded by
    /// repeating its start, so the shards are disjoint and cover the set.
    func testShardsAreDisjointAndCoverTheOrder() throws {
        let order = Array((0..<10).reversed())
        let shards = try (0..<3).map { try DatasetShard(rank: $0, count: 3).slice(order) }
        XCTAssertEqual(shards, [[9, 6, 3, 0], [8, 5, 2, 9], [7, 4, 1, 8]])  // padded to 12 with 9, 8
        XCTAssertEqual(Set(shards.flatMap { $0 }), Set(order))
        let even = try (0..<2).map { try DatasetShard(rank: $0, count: 2).slice(order) }
        XCTAssertEqual(even[0].count + even[1].count, order.count)
        XCTAssertTrue(Set(even[0]).isDisjoint(with: even[1]))
        XCTAssertEqual(DatasetShard.whole.slice(order), order)
    }

    func testInvalidShardsAreRefused() {
        XCTAssertThrowsError(try DatasetShard(rank: 2, count: 2)) { XCTAssertEqual(($0 as? DatasetError)?.kind, .invalidShard) }
        XCTAssertThrowsError(try DatasetShard(rank: 0, count: 0))
        XCTAssertThrowsError(try DatasetShard(rank: -1, count: 2))
    }

    /// Batch k of every rank together is batch k of one process with a `count` times larger
    /// batch: what makes 2 ranks × 32 images train like 1 process × 64.
    func testRanksBatchesTogetherAreTheLargeBatch() throws {
        let pixels = (0..<40).map { UInt8($0) }  // 40 one-pixel images, pixel = image index
        let set = try ImageSet(channels: 1, height: 1, width: 1, pixels: pixels, labels: (0..<40).map { UInt8($0 % 10) },
                               classNames: (0..<10).map(String.init), file: "test set")
        let normalization = Normalization(mean: [0], std: [1])
        let large = try BatchLoader(set, batchSize: 8, seed: 3, normalization: normalization)
        let small = try BatchLoader(set, batchSize: 4, seed: 3, normalization: normalization)
        let shards = try (0..<2).map { try DatasetShard(rank: $0, count: 2) }
        XCTAssertEqual(shards.map(small.batchCount(of:)), [5, 5])
        let perRank = shards.map { Array(small.batches(epoch: 2, shard: $0)).map(\.images) }
        for (k, batch) in large.batches(epoch: 2).enumerated() {
            let interleaved = (0..<4).flatMap { j in [perRank[0][k][j], perRank[1][k][j]] }
            XCTAssertEqual(batch.images, interleaved, "batch \(k)")
        }
    }
}
