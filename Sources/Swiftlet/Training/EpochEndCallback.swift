/// A `Trainer` callback made of one closure, run after every epoch: record a result, adjust
/// something, or `stop()` the trainer.
///
/// ```swift
/// trainer.callbacks.append(EpochEndCallback { trainer, record in
///     if record.training.accuracy > 99 { trainer.stop() }
/// })
/// ```
public struct EpochEndCallback: TrainerCallback {
    private let body: (Trainer, EpochRecord) throws -> Void

    /// Runs `body` with the trainer and the epoch's record after every epoch.
    public init(_ body: @escaping (Trainer, EpochRecord) throws -> Void) {
        self.body = body
    }

    public func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {
        try body(trainer, record)
    }
}
