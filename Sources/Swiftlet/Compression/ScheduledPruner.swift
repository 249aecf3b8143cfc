/// Prunes a model on a schedule, one step at a time, keeping the masks in an optimizer.
///
/// A step is whatever the caller counts: an epoch in `pruneIteratively`, an optimizer step
/// when `advance()` runs before every batch — Zhu & Gupta's setting (prune every Δt ≈ 100
/// steps), and what TF-MOT's `UpdatePruningStep` callback does. Masks only grow: every
/// pruning keeps what earlier ones removed and ranks only the survivors.
public final class ScheduledPruner {
    /// The masks so far, also applied to the optimizer; they only grow.
    public private(set) var masks: PruningMasks
    /// Steps taken so far: the next `advance()` asks the schedule about this step.
    public private(set) var step = 0
    private let model: Module
    private let optimizer: Optimizer
    private let schedule: PruningSchedule
    private let criterion: PruningCriterion
    private let target: (Float) -> SparsityTarget
    private let select: ((String, Tensor) -> Bool)?

    /// - Parameters:
    ///   - model: the model to prune, in place.
    ///   - optimizer: the optimizer that trains `model`; it receives the masks.
    ///   - schedule: when to prune and to what sparsity.
    ///   - criterion: how weights are ranked.
    ///   - target: turns the schedule's sparsity into a target, e.g. `SparsityTarget.global`.
    ///   - masks: earlier masks to keep (applied to `optimizer` now).
    ///   - select: the prunable parameters (by default Linear and Conv2d weights).
    public init(_ model: Module, optimizer: Optimizer, schedule: PruningSchedule, criterion: PruningCriterion = .magnitude,
                target: @escaping (Float) -> SparsityTarget = SparsityTarget.uniform, masks: PruningMasks? = nil,
                select: ((String, Tensor) -> Bool)? = nil) throws {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.criterion = criterion
        self.target = target
        self.select = select
        self.masks = masks ?? PruningMasks(entries: [])
        try self.masks.apply(to: optimizer)
    }

    /// Starts the next step: prunes to the schedule's target when it names one at this step.
    /// - Returns: that target, or nil when the step only trains.
    @discardableResult
    public func advance() throws -> Float? {
        defer { step += 1 }
        guard let goal = schedule.targetSparsity(atStep: step) else { return nil }
        masks = try prune(model, by: criterion, target(goal), keeping: masks, select: select)
        try masks.apply(to: optimizer)
        return goal
    }
}
