import Foundation
import SwiftletFiles
import SwiftletKernels

/// The fit loop: epochs of `trainEpoch(_:optimizer:batches:batchCount:loss:beforeBatch:maxGradientNorm:dataParallel:afterStep:progress:)`
/// with a learning-rate schedule (per epoch or per step, warm-up and one-cycle included),
/// gradient clipping, evaluation on a validation split with early stopping, and callbacks for
/// progress, checkpoints and anything else.
///
/// Its `state` (epoch, step, schedule position, `GlobalRandom`'s state, early stopping) is saved
/// with the model and the optimizer (masks included) by `checkpointFiles(metadata:)` and
/// restored by `restore(from:)`, so a run stopped after any checkpoint and resumed ends with the
/// same weights, bit for bit, as the run never stopped — given the same batches for each epoch
/// (a `BatchLoader` shuffles and augments epoch e from (seed, e)) and the same thread count.
///
/// ```swift
/// let trainer = Trainer(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9))
/// trainer.callbacks = [ProgressPrinter()]
/// try trainer.fit(epochs: 10, batchCount: loader.batchCount, batches: loader.labeledBatches(epoch:))
/// ```
public final class Trainer {
    /// The model trained, in place.
    public let model: Module
    /// Steps the model's parameters; holds the pruning masks.
    public let optimizer: Optimizer
    /// The objective from logits and labels (cross-entropy by default).
    public var loss: (_ logits: Tensor, _ batch: LabeledBatch) throws -> Tensor
    /// Sets the learning rate; stepped once per epoch or per optimizer step, by `scheduleClock`.
    public var schedule: LearningRateSchedule?
    /// What one step of `schedule` is.
    public var scheduleClock = TrainingClock.epoch
    /// Gradients are clipped to this joint L2 norm before each step, when set.
    public var maxGradientNorm: Float?
    /// Stops `fit` when the validation accuracy stops improving; needs a validation split.
    public var earlyStopping: EarlyStopping?
    /// Told of every epoch, batch and step, in order.
    public var callbacks: [any TrainerCallback] = []
    /// Data-parallel training across ranks (`docs/distributed.md`): `fit` starts by giving every
    /// rank rank 0's parameters and buffers, averages the gradients of every step, and after
    /// every epoch gives every rank rank 0's buffers again (BatchNorm's running statistics), so
    /// validation and checkpoints agree. `batches` must then give this rank's shard.
    public var dataParallel: DataParallel?
    /// How far training got; saved by `checkpointFiles(metadata:)`.
    public private(set) var state = TrainerState()
    /// Set by `stop()` or early stopping: `fit` returns after the current epoch.
    public private(set) var isStopping = false

    /// File names of a checkpoint (`checkpointFiles(metadata:)`): the model, the optimizer, the state.
    public static let modelFile = "model.safetensors", optimizerFile = "optimizer.safetensors", stateFile = "training-state.json"

    /// A trainer of `model` with `optimizer`, minimising `loss` (cross-entropy by default).
    public init(_ model: Module, optimizer: Optimizer,
                loss: @escaping (_ logits: Tensor, _ batch: LabeledBatch) throws -> Tensor = { try crossEntropy($0, $1.labels) }) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
    }

    /// Asks `fit` to return after the current epoch (from a callback, say).
    public func stop() { isStopping = true }

    /// Trains until `epochs` epochs are completed in all (a restored trainer continues where it
    /// stopped), or until stopped.
    ///
    /// - Parameters:
    ///   - epochs: the total number of epochs, counting those completed before a restore.
    ///   - batchCount: batches per epoch, for progress reports.
    ///   - batches: the batches of epoch e (1-based); must give the same batches for the same e.
    ///   - validation: evaluates the validation split after every epoch, e.g.
    ///     `{ try evaluate(model, batches: heldOut.labeledBatches()) }`.
    /// - Returns: one record per epoch trained by this call.
    /// - Throws: `TrainingDivergence` (with its epoch), `TrainerError`, or what a callback throws.
    @discardableResult
    public func fit<Batches: Sequence>(epochs: Int, batchCount: Int, batches: (_ epoch: Int) -> Batches,
                                       validation: (() throws -> EpochResult)? = nil) throws -> [EpochRecord]
    where Batches.Element == LabeledBatch {
        if earlyStopping != nil, validation == nil { throw TrainerError.earlyStoppingWithoutValidation }
        // A run that early stopping ended stays ended when resumed.
        isStopping = earlyStopping.map { state.epochsWithoutImprovement >= $0.patience } ?? false
        var records: [EpochRecord] = []
        if state.epochsCompleted < epochs { try dataParallel?.broadcastState(of: model, what: "rank 0's weights before training") }
        while state.epochsCompleted < epochs, !isStopping {
            let epoch = state.epochsCompleted + 1
            for callback in callbacks { try callback.trainerWillStartEpoch(self, epoch: epoch) }
            let training: EpochResult
            do {
                training = try trainEpoch(
                    model, optimizer: optimizer, batches: batches(epoch).dropFirst(state.batchesIntoEpoch), batchCount: batchCount, loss: loss,
                    beforeBatch: { for callback in callbacks { try callback.trainerWillRunBatch(self) } },
                    maxGradientNorm: maxGradientNorm, dataParallel: dataParallel, afterStep: didStep,
                    progress: { progress in for callback in callbacks { callback.trainerDidFinishBatch(self, progress: progress) } })
            } catch let divergence as TrainingDivergence {
                throw divergence.inEpoch(epoch)
            }
            try dataParallel?.broadcastState(of: model, what: "rank 0's weights and BatchNorm statistics after epoch \(epoch)")
            if scheduleClock == .epoch { advanceSchedule() }
            state.epochsCompleted = epoch
            state.batchesIntoEpoch = 0
            let validated = try validation?()
            if let validated, let earlyStopping { judge(validated.accuracy, by: earlyStopping) }
            let record = EpochRecord(epoch: epoch, training: training, validation: validated, learningRate: optimizer.learningRate)
            records.append(record)
            for callback in callbacks { try callback.trainerDidFinishEpoch(self, record: record) }
        }
        return records
    }

    private func didStep() throws {
        state.steps += 1
        state.batchesIntoEpoch += 1
        if scheduleClock == .step { advanceSchedule() }
        for callback in callbacks { try callback.trainerDidStep(self) }
    }

    private func advanceSchedule() {
        guard let schedule else { return }
        schedule.step()
        state.scheduleSteps = schedule.steps
    }

    private func judge(_ accuracy: Double, by rule: EarlyStopping) {
        if let best = state.bestValidationAccuracy, accuracy <= best + rule.minimumImprovement {
            state.epochsWithoutImprovement += 1
            if state.epochsWithoutImprovement >= rule.patience { isStopping = true }
        } else {
            state.bestValidationAccuracy = accuracy
            state.epochsWithoutImprovement = 0
        }
    }

    // MARK: Checkpoints

    /// The model (its checkpoint with `metadata`), the optimizer and `state` (with `settings`
    /// and the calling thread's `GlobalRandom` state), by file name: write them together (e.g.
    /// `OutputFolder.commit`, or `CheckpointSaver`), never one without the others.
    public func checkpointFiles(metadata: [String: String] = [:], settings: [String: String] = [:]) throws -> [String: [UInt8]] {
        var saved = state
        saved.randomState = GlobalRandom.generator.stateWords
        saved.settings = settings
        return [Self.modelFile: try model.stateFile(metadata: metadata).encoded(),
                Self.optimizerFile: try optimizer.stateFile.encoded(),
                Self.stateFile: try saved.encoded()]
    }

    /// Restores the model, the optimizer, the schedule's position, `GlobalRandom` and `state`
    /// from the files `checkpointFiles` wrote into `folder`. Returns false, changing nothing,
    /// when the folder holds no training state; the caller checks `state.settings`.
    @discardableResult
    public func restore(from folder: URL) throws -> Bool {
        let stateURL = folder.appendingPathComponent(Self.stateFile)
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: stateURL.path)
        } catch let error as FileSystemError where error.isMissing {
            return false
        }
        let saved = try TrainerState(decoding: bytes, file: stateURL.path)
        try model.load(from: folder.appendingPathComponent(Self.modelFile))
        try optimizer.loadState(from: folder.appendingPathComponent(Self.optimizerFile))
        guard let random = SeededRandom(stateWords: saved.randomState) else {
            throw TrainerStateError(file: stateURL.path, reason: "random_state must be four words, not all zero")
        }
        GlobalRandom.generator = random
        schedule?.resume(atStep: saved.scheduleSteps)
        state = saved
        return true
    }
}

/// Early stopping on a validation split: `fit` stops once the validation accuracy has not
/// beaten its best by more than `minimumImprovement` for `patience` epochs in a row. The
/// model keeps the last epoch's weights.
public struct EarlyStopping: Sendable, Equatable {
    /// Epochs without improvement before stopping (at least 1).
    public var patience: Int
    /// Percentage points the accuracy must gain to count as an improvement.
    public var minimumImprovement: Double

    /// Stops after `patience` epochs without a gain of more than `minimumImprovement` points.
    public init(patience: Int, minimumImprovement: Double = 0) {
        self.patience = max(patience, 1)
        self.minimumImprovement = minimumImprovement
    }
}

/// A `Trainer` that cannot run as configured.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    /// `earlyStopping` is set but `fit` was given no validation split to judge it on.
    case earlyStoppingWithoutValidation

    public var description: String {
        switch self {
        case .earlyStoppingWithoutValidation:
            return "early stopping needs a validation split: pass fit(…, validation:) or clear earlyStopping"
        }
    }
}
