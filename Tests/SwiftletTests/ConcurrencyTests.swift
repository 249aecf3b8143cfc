import Dispatch
import Foundation
import Swiftlet
import SwiftletKernels
import Synchronization
import XCTest

/// Two threads using Swiftlet at once (docs/concurrency.md): each builds its own tensors and
/// models, and only plain values cross between threads. The kernels run on one thread here:
/// with more, a product's split over the worker pool depends on whether another thread holds
/// the pool, and a split sum rounds differently, so "the same as alone" would hold only to
/// rounding.
final class ConcurrencyTests: XCTestCase {
    private var savedThreads = 0

    override func setUp() {
        savedThreads = Parallel.threads
        Parallel.threads = 1
    }

    override func tearDown() {
        Parallel.threads = savedThreads
    }

    func testTrainingOnOneThreadWhileAnotherEvaluatesGivesTheResultsOfEachAlone() throws {
        let trainedAlone = try Spawned { try Self.train(afterSignal: nil) }.join()
        let evaluatedAlone = try Spawned { try Self.evaluateRepeatedly(signalling: nil, until: StopFlag(stopped: true)) }.join()
        XCTAssertEqual(evaluatedAlone.count, 1)

        let evaluating = DispatchSemaphore(value: 0), stop = StopFlag(stopped: false)
        let evaluator = Spawned { try Self.evaluateRepeatedly(signalling: evaluating, until: stop) }
        let trainer = Spawned { try Self.train(afterSignal: evaluating) }
        let trained = try trainer.join()
        stop.set()
        let evaluations = try evaluator.join()

        XCTAssertEqual(trained, trainedAlone)
        XCTAssertFalse(evaluations.isEmpty)
        for evaluation in evaluations { XCTAssertEqual(evaluation, evaluatedAlone[0]) }
    }

    func testNoGradOnOneThreadLeavesRecordingOnOnAnother() throws {
        let insideNoGrad = DispatchSemaphore(value: 0), recorded = DispatchSemaphore(value: 0)
        let evaluator = Spawned {
            withNoGrad {
                insideNoGrad.signal()
                recorded.wait()  // stay in the no-grad scope until the other thread has recorded
                return GradMode.isEnabled
            }
        }
        insideNoGrad.wait()
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = try (x * x).sum()
        recorded.signal()

        XCTAssertFalse(try evaluator.join())
        XCTAssertTrue(GradMode.isEnabled)
        XCTAssertTrue(y.requiresGrad)
        try y.backward()
        XCTAssertEqual(x.grad?.scalars, [2, 4])
    }

    func testSeedingOnOneThreadLeavesAnotherThreadsSequenceAlone() throws {
        let alone = try Spawned { () -> [UInt64] in
            GlobalRandom.seed(7)
            return (0..<4).map { _ in GlobalRandom.generator.next() }
        }.join()
        let halfway = DispatchSemaphore(value: 0), reseeded = DispatchSemaphore(value: 0)
        let interrupted = Spawned { () -> [UInt64] in
            GlobalRandom.seed(7)
            var values = (0..<2).map { _ in GlobalRandom.generator.next() }
            halfway.signal()
            reseeded.wait()
            values += (0..<2).map { _ in GlobalRandom.generator.next() }
            return values
        }
        halfway.wait()
        try Spawned {
            GlobalRandom.seed(8)
            _ = GlobalRandom.generator.next()
        }.join()
        reseeded.signal()
        XCTAssertEqual(try interrupted.join(), alone)
    }

    func testEveryThreadsGeneratorStartsFromSeedZero() throws {
        var seedZero = SeededRandom(seed: 0)
        XCTAssertEqual(try Spawned { GlobalRandom.generator.next() }.join(), seedZero.next())
    }

    // MARK: - The two workloads

    private struct Trained: Equatable {
        let losses: [Double]
        let parameters: [[Float]]
    }

    private struct Evaluation: Equatable {
        let loss: Double
        let accuracy: Double
    }

    /// Two epochs of the MNIST net on four generated batches.
    private static func train(afterSignal start: DispatchSemaphore?) throws -> Trained {
        let batches = generatedBatches(count: 4, size: 16, seed: 1)
        GlobalRandom.seed(0)
        let model = try ModelZoo.entry("mnist-net").make()
        let optimizer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
        start?.wait()
        let losses = try (0..<2).map { _ in
            try trainEpoch(model, optimizer: optimizer, batches: batches, batchCount: batches.count).loss
        }
        return Trained(losses: losses, parameters: model.parameters.map(\.scalars))
    }

    /// LeNet-300-100 evaluated on two generated batches, again and again until `stop` (at least once).
    private static func evaluateRepeatedly(signalling started: DispatchSemaphore?, until stop: StopFlag) throws -> [Evaluation] {
        let batches = generatedBatches(count: 2, size: 32, seed: 2)
        GlobalRandom.seed(3)
        let model = try ModelZoo.entry("lenet300").make()
        var evaluations: [Evaluation] = []
        repeat {
            let result = try withNoGrad {
                // Signalled inside the first no-grad scope: training starts while it is open.
                if evaluations.isEmpty { started?.signal() }
                return try evaluate(model, batches: batches)
            }
            evaluations.append(Evaluation(loss: result.loss, accuracy: result.accuracy))
        } while !stop.isSet
        return evaluations
    }

    private static func generatedBatches(count: Int, size: Int, seed: UInt64) -> [LabeledBatch] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            LabeledBatch(images: Tensor.normal([size, 1, 28, 28], generator: &generator),
                         labels: (0..<size).map { _ in Int(generator.next() % 10) })
        }
    }
}

/// Runs `body` on a thread of its own; `join` waits for it and returns what it returned.
private final class Spawned<Value: Sendable>: Sendable {
    private let outcome = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Value) {
        Thread { [self] in
            let result = Result(catching: body)
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
    }

    func join() throws -> Value {
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}

private final class StopFlag: Sendable {
    private let stopped: Atomic<Bool>

    init(stopped: Bool) { self.stopped = Atomic(stopped) }

    var isSet: Bool { stopped.load(ordering: .acquiring) }
    func set() { stopped.store(true, ordering: .releasing) }
}
