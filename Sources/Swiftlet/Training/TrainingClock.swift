/// What a schedule counts: epochs, or optimizer steps (batches).
public enum TrainingClock: Sendable, Equatable {
    /// Once per epoch, after its last batch.
    case epoch
    /// Once per optimizer step.
    case step
}
