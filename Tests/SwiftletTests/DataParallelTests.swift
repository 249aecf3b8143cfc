import XCTest
@testable import Swiftlet

/// A stand-in for the other ranks of a job, for tests without MPI: every other rank holds
/// the same gradients as this one, so a sum is `size` times the buffer; a broadcast to a rank
/// other than the root delivers `rootBroadcasts`, one buffer per call.
private final class MirrorCommunicator: Communicator {
    let rank: Int
    let size: Int
    var rootBroadcasts: [[Float]] = []
    /// Each started sum's length, in order.
    private(set) var startedSums: [Int] = []
    /// Called as each sum starts, to look at the training state at that moment.
    var onStart: () -> Void = {}
    private var pending: [UnsafeMutableBufferPointer<Float>] = []

    init(rank: Int, size: Int) {
        (self.rank, self.size) = (rank, size)
    }

    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, from root: Int, what: String) throws {
        guard rank != root else { return }
        _ = buffer.update(fromContentsOf: rootBroadcasts.removeFirst())
    }

    func startSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        startedSums.append(buffer.count)
        onStart()
        pending.append(buffer)
    }

    func progress() throws {}

    func finishSums(what: String) throws {
        for buffer in pending {
            for i in buffer.indices { buffer[i] *= Float(size) }
        }
        pending.removeAll()
    }

    func barrier(what: String) throws {}
    func finalize() {}
}

final class DataParallelTests: XCTestCase {
    private func model() -> Sequential {
        GlobalRandom.seed(7)
        return Sequential { ("fc1", Linear(6, 5)); ReLU(); ("fc2", Linear(5, 3)) }
    }

    private func loss(_ model: Module) throws -> Tensor {
        let x = try Tensor((0..<24).map { Float($0 % 7) / 7 - 0.4 }, shape: [4, 6])
        return try crossEntropy(model(x), [0, 2, 1, 2])
    }

    /// The hook sees each leaf once, with its gradient complete: here `w` feeds two operations.
    func testAfterLeafGradientSeesEachLeafOnceWithItsWholeGradient() throws {
        let w = try Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = try (w * w + w).sum()
        var seen: [[Float]] = []
        try y.backward(afterLeafGradient: { seen.append($0.grad?.scalars ?? []) })
        XCTAssertEqual(seen, [[3, 5]])  // d(w² + w)/dw = 2w + 1
    }

    /// Summed over two ranks holding the same gradients and divided by two: the gradients of
    /// one process, bit for bit.
    func testAveragedGradientsAreTheAverageOverRanks() throws {
        let plain = model(), parallel = model()
        try loss(plain).backward()
        let communicator = MirrorCommunicator(rank: 0, size: 2)
        let dataParallel = DataParallel(parameters: parallel.parameters, communicator: communicator)
        try loss(parallel).backward(afterLeafGradient: dataParallel.gradientReady)
        try dataParallel.averageGradients()
        XCTAssertEqual(parallel.parameters.map { $0.grad?.scalars ?? [] }, plain.parameters.map { $0.grad?.scalars ?? [] })
        XCTAssertEqual(communicator.startedSums, [5 * 6 + 5 + 5 * 3 + 3])
    }

    /// Buckets follow the parameters backwards (the order backward finishes them), and the
    /// last layer's bucket starts while backward has not yet reached the first layer.
    func testBucketsStartDuringBackwardInReverseOrder() throws {
        let parallel = model()
        let communicator = MirrorCommunicator(rank: 0, size: 2)
        let dataParallel = DataParallel(parameters: parallel.parameters, communicator: communicator, bucketCapacity: 20)
        // fc2's bias and weight fit in 20 scalars; fc1's bias and weight do not, and go alone.
        XCTAssertEqual(dataParallel.bucketSizes, [3 + 15, 5, 30])
        let firstWeight = parallel.parameters[0]
        var firstLayerDoneAtStart: [Bool] = []
        communicator.onStart = { firstLayerDoneAtStart.append(firstWeight.grad != nil) }
        try loss(parallel).backward(afterLeafGradient: dataParallel.gradientReady)
        XCTAssertEqual(firstLayerDoneAtStart, [false, false, true], "every bucket starts inside backward, the last layer's first")
        try dataParallel.averageGradients()
        XCTAssertEqual(communicator.startedSums, [18, 5, 30])
    }

    /// A parameter that backward never reached is sent as zeros, so every rank sends the
    /// same buffers, and ends up with a gradient.
    func testUnusedParametersAreSentAsZeros() throws {
        let parallel = model()
        let unused = Tensor.zeros([4], requiresGrad: true)
        let communicator = MirrorCommunicator(rank: 0, size: 2)
        let dataParallel = DataParallel(parameters: parallel.parameters + [unused], communicator: communicator)
        try loss(parallel).backward(afterLeafGradient: dataParallel.gradientReady)
        XCTAssertEqual(communicator.startedSums, [], "the bucket waits for the unused parameter")
        try dataParallel.averageGradients()
        XCTAssertEqual(communicator.startedSums, [57])
        XCTAssertEqual(unused.grad?.scalars, [0, 0, 0, 0])
    }

    func testBroadcastGivesEveryRankRootsState() throws {
        let parallel = model()
        let count = parallel.stateDict.reduce(0) { $0 + $1.tensor.count }
        let communicator = MirrorCommunicator(rank: 1, size: 2)
        let root = (0..<count).map { Float($0) }
        communicator.rootBroadcasts = [[0, Float(count)], root]
        try DataParallel(parameters: parallel.parameters, communicator: communicator).broadcastState(of: parallel, what: "weights")
        XCTAssertEqual(parallel.stateDict.flatMap(\.tensor.scalars), root)

        communicator.rootBroadcasts = [[0, Float(count + 1)]]
        XCTAssertThrowsError(try DataParallel(parameters: parallel.parameters, communicator: communicator).broadcastState(of: parallel, what: "weights")) {
            XCTAssertEqual($0 as? DistributedError, .modelMismatch(rank: 1, scalars: count, rootScalars: count + 1))
        }
    }
}
