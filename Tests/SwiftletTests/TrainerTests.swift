import Foundation
import Swiftlet
import SwiftletKernels
import XCTest

/// `Trainer`: the fit loop, its callbacks, and a state that saves and restores exactly. The
/// kernels run on one thread: with more, a product's split can depend on whether the worker
/// pool is free, and a stopped-and-resumed run must take the very same steps.
final class TrainerTests: XCTestCase {
    private var savedThreads = 0
    private var folder: URL!

    override func setUpWithError() throws {
        savedThreads = Parallel.threads
        Parallel.threads = 1
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-trainer-\(UUID().uuidString)")
    }

    override func tearDown() {
        Parallel.threads = savedThreads
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: A small problem

    private let batchCount = 6

    /// Batch `index` of epoch `epoch`: 8 four-feature points whose class is the sign of
    /// x₀ + x₁ − x₂, shuffled by epoch as a `BatchLoader` would (a function of the epoch only).
    private func batch(epoch: Int, index: Int) -> LabeledBatch {
        var random = SeededRandom(seed: UInt64(epoch * 100 + index))
        let images = Tensor.normal([8, 4], generator: &random)
        let x = images.scalars
        let labels: [Int] = (0..<8).map { row in
            let score: Float = x[row * 4] + x[row * 4 + 1] - x[row * 4 + 2]
            return score > 0 ? 1 : 0
        }
        return LabeledBatch(images: images, labels: labels)
    }

    private func batches(_ epoch: Int) -> [LabeledBatch] { (0..<batchCount).map { batch(epoch: epoch, index: $0) } }

    /// A fresh model with dropout (so `GlobalRandom`'s state matters), SGD with momentum and a
    /// pruning mask, a warm-up + cosine schedule per step and gradient clipping.
    private func makeTrainer() throws -> Trainer {
        GlobalRandom.seed(7)
        let model = Sequential { ("fc1", Linear(4, 16)); ReLU(); Dropout(0.3); ("fc2", Linear(16, 2)) }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9, weightDecay: 1e-4)
        try optimizer.setMask((0..<64).map { $0 % 5 == 0 ? 0 : 1 }, for: model.parameters[0])
        let trainer = Trainer(model, optimizer: optimizer)
        trainer.schedule = LearningRateSchedule(optimizer, .cosine(tMax: 3 * batchCount - 4, minimum: 0.001), warmupSteps: 4)
        trainer.scheduleClock = .step
        trainer.maxGradientNorm = 0.5
        return trainer
    }

    /// The model's and the optimizer's checkpoint bytes, compared whole (`==`, so a failure
    /// does not print them).
    private func weights(_ trainer: Trainer) throws -> [UInt8] {
        try trainer.model.stateFile().encoded() + trainer.optimizer.stateFile.encoded()
    }

    // MARK: Stop and resume

    func testStoppingAfterAnEpochAndResumingGivesTheUninterruptedWeightsBitForBit() throws {
        let uninterrupted = try makeTrainer()
        try uninterrupted.fit(epochs: 3, batchCount: batchCount, batches: batches)
        let reference = try weights(uninterrupted)

        let first = try makeTrainer()
        first.callbacks = [try CheckpointSaver(every: 1, folder: folder)]
        try first.fit(epochs: 1, batchCount: batchCount, batches: batches)
        first.callbacks = []
        GlobalRandom.seed(12345)  // what another process would start from

        let resumed = try makeTrainer()
        XCTAssertTrue(try resumed.restore(from: folder))
        XCTAssertEqual(resumed.state.epochsCompleted, 1)
        XCTAssertEqual(resumed.state.steps, batchCount)
        XCTAssertEqual(resumed.state.scheduleSteps, batchCount)
        let records = try resumed.fit(epochs: 3, batchCount: batchCount, batches: batches)
        XCTAssertEqual(records.map(\.epoch), [2, 3])
        XCTAssertTrue(try weights(resumed) == reference, "not the same bytes")
        XCTAssertTrue(try weights(first) != reference, "the same bytes")
    }

    /// A checkpoint every 4 steps lands in the middle of epoch 1 (6 batches): the resumed run
    /// skips the 4 trained batches and continues to the same weights.
    func testACheckpointInTheMiddleOfAnEpochResumesToTheSameWeights() throws {
        let uninterrupted = try makeTrainer()
        try uninterrupted.fit(epochs: 2, batchCount: batchCount, batches: batches)

        let stopped = try makeTrainer()
        stopped.callbacks = [try CheckpointSaver(every: 4, .step, folder: folder), EpochEndCallback { trainer, _ in trainer.stop() }]
        try stopped.fit(epochs: 2, batchCount: batchCount, batches: batches)
        // Only the 4-step checkpoint is on disk: restore it.
        let resumed = try makeTrainer()
        XCTAssertTrue(try resumed.restore(from: folder))
        XCTAssertEqual(resumed.state.epochsCompleted, 0)
        XCTAssertEqual(resumed.state.batchesIntoEpoch, 4)
        try resumed.fit(epochs: 2, batchCount: batchCount, batches: batches)
        XCTAssertEqual(resumed.state.steps, 2 * batchCount)
        XCTAssertTrue(try weights(resumed) == weights(uninterrupted), "not the same bytes")
    }

    func testRestoringFromAFolderWithoutStateChangesNothing() throws {
        let trainer = try makeTrainer()
        let before = try weights(trainer)
        XCTAssertFalse(try trainer.restore(from: folder))
        XCTAssertTrue(try weights(trainer) == before, "not the same bytes")
        XCTAssertEqual(trainer.state, TrainerState())
    }

    // MARK: State file

    func testTheStateFileRoundTripsExactly() throws {
        var state = TrainerState()
        state.epochsCompleted = 3
        state.batchesIntoEpoch = 2
        state.steps = 41
        state.scheduleSteps = 40
        state.randomState = [1, 0xFFFF_FFFF_FFFF_FFFF, 3, 4]
        state.bestValidationAccuracy = 97.123456789012345
        state.epochsWithoutImprovement = 1
        state.settings = ["lr": "0.01"]
        XCTAssertEqual(try TrainerState(decoding: state.encoded(), file: "s.json"), state)
    }

    func testAMalformedStateFileIsRefusedWithItsReason() throws {
        var state = TrainerState()
        state.randomState = [1, 2, 3]
        XCTAssertThrowsError(try TrainerState(decoding: state.encoded(), file: "s.json")) { error in
            XCTAssertEqual("\(error)", "s.json is not a training state: random_state must be four hexadecimal words")
        }
        XCTAssertThrowsError(try TrainerState(decoding: Array("[]".utf8), file: "s.json")) { error in
            XCTAssertEqual("\(error)", "s.json is not a training state: not a JSON object")
        }
    }

    func testAnAllZeroRandomStateIsRefusedOnRestore() throws {
        let trainer = try makeTrainer()
        var files = try trainer.checkpointFiles()
        var state = try TrainerState(decoding: XCTUnwrap(files[Trainer.stateFile]), file: "")
        state.randomState = [0, 0, 0, 0]
        files[Trainer.stateFile] = try state.encoded()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        XCTAssertThrowsError(try makeTrainer().restore(from: folder)) { error in
            XCTAssertTrue("\(error)".hasSuffix("random_state must be four words, not all zero"), "\(error)")
        }
    }

    // MARK: Loop features

    func testTheFitLoopTakesTheStepsOfTrainEpoch() throws {
        GlobalRandom.seed(1)
        let model = Sequential { Linear(4, 8); ReLU(); Linear(8, 2) }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        for epoch in 1...2 { _ = try trainEpoch(model, optimizer: optimizer, batches: batches(epoch), batchCount: batchCount) }
        GlobalRandom.seed(1)
        let other = Sequential { Linear(4, 8); ReLU(); Linear(8, 2) }
        let trainer = Trainer(other, optimizer: SGD(other.parameters, lr: 0.1, momentum: 0.9))
        let records = try trainer.fit(epochs: 2, batchCount: batchCount, batches: batches)
        XCTAssertEqual(try other.stateFile().encoded(), try model.stateFile().encoded())
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(trainer.state.steps, 2 * batchCount)
        XCTAssertEqual(records[1].training.images, 8 * batchCount)
    }

    func testGradientClippingScalesTheJointNormAndChangesTraining() throws {
        let a = Tensor(shape: [2], scalars: [0, 0], requiresGrad: true), b = Tensor(shape: [1], scalars: [0], requiresGrad: true)
        a.grad = Tensor(shape: [2], scalars: [3, 0])
        b.grad = Tensor(shape: [1], scalars: [4])
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 1), 5)
        XCTAssertEqual(a.grad?.scalars[0] ?? 0, 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad?.scalars[0] ?? 0, 0.8, accuracy: 1e-6)
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 10), 1, accuracy: 1e-6)
        XCTAssertEqual(b.grad?.scalars[0] ?? 0, 0.8, accuracy: 1e-6)  // below the bound: unchanged

        let clipped = try makeTrainer(), unclipped = try makeTrainer()
        unclipped.maxGradientNorm = nil
        try clipped.fit(epochs: 1, batchCount: batchCount, batches: batches)
        try unclipped.fit(epochs: 1, batchCount: batchCount, batches: batches)
        XCTAssertTrue(try weights(clipped) != weights(unclipped), "the same bytes")
    }

    func testEarlyStoppingStopsAfterPatienceEpochsWithoutImprovement() throws {
        let trainer = try makeTrainer()
        trainer.earlyStopping = EarlyStopping(patience: 2, minimumImprovement: 0.5)
        var accuracies = [50.0, 60.0, 60.4, 59.0, 90.0, 95.0]
        let records = try trainer.fit(epochs: 6, batchCount: batchCount, batches: batches, validation: {
            EpochResult(loss: 0, accuracy: accuracies.removeFirst(), images: 1, seconds: 0)
        })
        XCTAssertEqual(records.map { $0.epoch }, [1, 2, 3, 4])
        XCTAssertEqual(records.last?.validation?.accuracy, 59)
        XCTAssertEqual(trainer.state.bestValidationAccuracy, 60)
        XCTAssertTrue(trainer.isStopping)
        // A run early stopping ended stays ended.
        XCTAssertEqual(try trainer.fit(epochs: 6, batchCount: batchCount, batches: batches, validation: {
            EpochResult(loss: 0, accuracy: 99, images: 1, seconds: 0)
        }).count, 0)
    }

    func testEarlyStoppingWithoutAValidationSplitIsRefused() throws {
        let trainer = try makeTrainer()
        trainer.earlyStopping = EarlyStopping(patience: 1)
        XCTAssertThrowsError(try trainer.fit(epochs: 1, batchCount: batchCount, batches: batches)) { error in
            XCTAssertEqual(error as? TrainerError, .earlyStoppingWithoutValidation)
        }
    }

    func testADivergenceNamesItsEpoch() throws {
        let trainer = try makeTrainer()
        trainer.loss = { logits, batch in
            try crossEntropy(logits, batch.labels) * Tensor(shape: [], scalars: [trainer.state.epochsCompleted == 1 ? .nan : 1])
        }
        XCTAssertThrowsError(try trainer.fit(epochs: 3, batchCount: batchCount, batches: batches)) { error in
            XCTAssertEqual((error as? TrainingDivergence)?.epoch, 2)
        }
    }

    // MARK: Callbacks

    func testCallbacksHearEveryEpochBatchAndStepInOrder() throws {
        final class Recorder: TrainerCallback {
            var events: [String] = []
            func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws { events.append("start \(epoch)") }
            func trainerWillRunBatch(_ trainer: Trainer) throws { events.append("batch") }
            func trainerDidStep(_ trainer: Trainer) throws { events.append("step \(trainer.state.steps)") }
            func trainerDidFinishBatch(_ trainer: Trainer, progress: BatchProgress) { events.append("progress \(progress.batch)") }
            func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws { events.append("end \(record.epoch)") }
        }
        let recorder = Recorder(), trainer = try makeTrainer()
        trainer.callbacks = [recorder]
        try trainer.fit(epochs: 2, batchCount: 2, batches: { Array(self.batches($0).prefix(2)) })
        XCTAssertEqual(recorder.events, ["start 1", "batch", "step 1", "progress 1", "batch", "step 2", "progress 2", "end 1",
                                         "start 2", "batch", "step 3", "progress 1", "batch", "step 4", "progress 2", "end 2"])
    }

    func testProgressPrinterWritesOneLinePerEpoch() throws {
        let lines = Lines()
        let trainer = try makeTrainer()
        trainer.callbacks = [ProgressPrinter(write: lines.append)]
        try trainer.fit(epochs: 2, batchCount: batchCount, batches: batches, validation: {
            EpochResult(loss: 0, accuracy: 87.5, images: 8, seconds: 0)
        })
        XCTAssertEqual(lines.all.count, 2)
        XCTAssertTrue(lines.all[1].hasPrefix("epoch 2: loss "), lines.all[1])
        XCTAssertTrue(lines.all[1].contains(", validation accuracy 87.50 %, lr "), lines.all[1])
    }

    func testCheckpointSaverWritesEveryNEpochsOrSteps() throws {
        for (interval, clock, expected) in [(2, TrainingClock.epoch, [2, 4]), (5, .step, [5, 10, 15, 20])] {
            var saved: [Int] = []
            let trainer = try makeTrainer()
            trainer.callbacks = [CheckpointSaver(every: interval, clock) { files in
                let state = try TrainerState(decoding: XCTUnwrap(files[Trainer.stateFile]), file: "")
                XCTAssertEqual(files.keys.sorted(), [Trainer.modelFile, Trainer.optimizerFile, Trainer.stateFile])
                saved.append(clock == .epoch ? state.epochsCompleted : state.steps)
            }]
            try trainer.fit(epochs: 4, batchCount: batchCount, batches: { Array(self.batches($0).prefix(5)) })
            XCTAssertEqual(saved, expected, "\(clock)")
        }
    }

    func testScheduledPruningPrunesAtTheScheduledEpochs() throws {
        GlobalRandom.seed(2)
        let model = Sequential { ("fc1", Linear(4, 16)); ReLU(); ("fc2", Linear(16, 2)) }
        let optimizer = SGD(model.parameters, lr: 0.05)
        let pruner = try ScheduledPruner(model, optimizer: optimizer, schedule: GradualPruningSchedule(finalSparsity: 0.5, intervals: 2))
        let trainer = Trainer(model, optimizer: optimizer)
        var sparsities: [Double] = []
        trainer.callbacks = [ScheduledPruning(pruner, every: .epoch), EpochEndCallback { _, _ in sparsities.append(pruner.masks.sparsity) }]
        try trainer.fit(epochs: 4, batchCount: batchCount, batches: batches)
        XCTAssertEqual(sparsities.first ?? -1, 0, accuracy: 1e-9)
        XCTAssertEqual(sparsities.last ?? 0, 0.5, accuracy: 0.02)
        XCTAssertEqual(Double(model.parameters[0].scalars.filter { $0 == 0 }.count) / 64, 0.5, accuracy: 0.02)
    }

    /// Distillation through a `Trainer` (its loss `distillationObjective`, the logit cache as a
    /// callback) takes the steps of `distillEpoch`, and the cache is filled after epoch 1.
    func testATrainerDistilsAsDistillEpochDoes() throws {
        GlobalRandom.seed(4)
        let teacher = Sequential { Linear(4, 8); ReLU(); Dropout(0.5); Linear(8, 2) }
        func student() -> Sequential { GlobalRandom.seed(5); return Sequential { Linear(4, 3); ReLU(); Linear(3, 2) } }
        // The cache needs the same images every epoch: epoch 1's batches, in another order after it.
        let sameImages = { (epoch: Int) in epoch == 1 ? self.batches(1) : self.batches(1).reversed() }
        let byEpoch = student(), optimizer = SGD(byEpoch.parameters, lr: 0.1, momentum: 0.9), cache = TeacherLogitCache()
        for epoch in 1...2 {
            _ = try distillEpoch(student: byEpoch, teacher: teacher, optimizer: optimizer, batches: sameImages(epoch), batchCount: batchCount,
                                 cache: cache)
        }
        let byTrainer = student(), trainerCache = TeacherLogitCache()
        let trainer = Trainer(byTrainer, optimizer: SGD(byTrainer.parameters, lr: 0.1, momentum: 0.9),
                              loss: distillationObjective(teacher: teacher, targets: .soft(DistillationLoss()), cache: trainerCache))
        trainer.callbacks = [trainerCache, EpochEndCallback { _, _ in XCTAssertTrue(trainerCache.isFilled) }]
        XCTAssertFalse(trainerCache.isFilled)
        XCTAssertTrue(teacher.isTraining)
        try withTeacherInEvaluationMode(teacher) {
            XCTAssertFalse(teacher.isTraining)
            try trainer.fit(epochs: 2, batchCount: batchCount, batches: sameImages)
        }
        XCTAssertTrue(teacher.isTraining)
        XCTAssertTrue(trainerCache.isFilled)
        XCTAssertEqual(trainerCache.count, cache.count)
        XCTAssertTrue(try byTrainer.stateFile().encoded() == byEpoch.stateFile().encoded(), "not the same bytes")
    }

    func testAnEpochEndCallbackCanStopTraining() throws {
        let trainer = try makeTrainer()
        trainer.callbacks = [EpochEndCallback { trainer, record in if record.epoch == 2 { trainer.stop() } }]
        XCTAssertEqual(try trainer.fit(epochs: 5, batchCount: batchCount, batches: batches).count, 2)
        XCTAssertEqual(trainer.state.epochsCompleted, 2)
    }
}

/// Lines written by a `ProgressPrinter`, from any thread.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
