/// A `Trainer` callback that advances a `ScheduledPruner` at the start of every epoch or
/// before every optimizer step (Zhu & Gupta prune every Δt steps), so gradual and iterative
/// pruning run inside an ordinary fit loop. The masks live in the trainer's optimizer, so a
/// checkpoint keeps them; the pruner's own position in its schedule is not part of
/// `TrainerState`, so a resumed run needs a pruner made for the steps that remain.
public struct ScheduledPruning: TrainerCallback {
    /// The pruner advanced.
    public let pruner: ScheduledPruner
    /// What one step of its schedule is.
    public let clock: TrainingClock

    /// Advances `pruner` once per epoch or per step, by `clock`.
    public init(_ pruner: ScheduledPruner, every clock: TrainingClock) {
        self.pruner = pruner
        self.clock = clock
    }

    public func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws {
        if clock == .epoch { try pruner.advance() }
    }

    public func trainerWillRunBatch(_ trainer: Trainer) throws {
        if clock == .step { try pruner.advance() }
    }
}
