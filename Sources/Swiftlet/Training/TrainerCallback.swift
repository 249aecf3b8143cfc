/// Something a `Trainer` tells as it goes: progress display, checkpoints, pruning on a
/// schedule, recording results. Every method has an empty default, so a callback implements
/// only what it needs; they are called in the order of `Trainer.callbacks`.
public protocol TrainerCallback {
    /// Before the first batch of `epoch` (1-based; a resumed epoch too).
    func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws
    /// Before each batch's forward pass.
    func trainerWillRunBatch(_ trainer: Trainer) throws
    /// After each optimizer step; `trainer.state.steps` counts it already.
    func trainerDidStep(_ trainer: Trainer) throws
    /// After each batch, with the epoch's running loss and accuracy.
    func trainerDidFinishBatch(_ trainer: Trainer, progress: BatchProgress)
    /// After each epoch: the schedule has stepped and the validation split (if any) was
    /// evaluated; `trainer.state` counts the epoch as completed.
    func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws
}

extension TrainerCallback {
    /// Does nothing.
    public func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws {}
    /// Does nothing.
    public func trainerWillRunBatch(_ trainer: Trainer) throws {}
    /// Does nothing.
    public func trainerDidStep(_ trainer: Trainer) throws {}
    /// Does nothing.
    public func trainerDidFinishBatch(_ trainer: Trainer, progress: BatchProgress) {}
    /// Does nothing.
    public func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {}
}

/// One finished epoch of `Trainer.fit`.
public struct EpochRecord: Sendable {
    /// The epoch (1-based).
    public let epoch: Int
    /// Loss and accuracy on the training batches of this epoch (those trained after a resume).
    public let training: EpochResult
    /// Loss and accuracy on the validation split, when `fit` was given one.
    public let validation: EpochResult?
    /// The learning rate the next step will use.
    public let learningRate: Float
}
