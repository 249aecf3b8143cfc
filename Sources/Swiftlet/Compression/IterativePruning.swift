/// One step (epoch) of iterative pruning: the target it pruned to, if any, and the scores.
public struct PruningStepRecord {
    /// The step (epoch) number, from 0.
    public let step: Int
    /// The schedule's target at this step; nil where the step only retrained.
    public let targetSparsity: Float?
    /// Fraction of the masked weights that are zero after this step's pruning.
    public let sparsity: Double
    /// `evaluate()` right after pruning, before retraining (pruning steps, when asked for).
    public let metricAfterPruning: Double?
    /// `evaluate()` after this step's training.
    public let metric: Double
}

/// Prune–retrain loop, data-agnostic: for each step t in 0..<steps, prune to the schedule's
/// target (when it names one), run `train(t)` — typically one epoch with `optimizer` — then
/// `evaluate()`.
///
/// Masks only grow (see `ScheduledPruner`), starting from `masks` if given. They live in
/// `optimizer`, so pruned weights stay exactly zero while `train` runs, momentum and Adam
/// moments included.
///
/// - Parameters:
///   - model: the model to prune, in place.
///   - optimizer: the optimizer `train` steps; it receives the masks.
///   - schedule: when to prune and to what sparsity.
///   - steps: how many steps (epochs) to run.
///   - criterion: how weights are scored for removal.
///   - target: turns the schedule's sparsity into a target, e.g. `SparsityTarget.global`.
///   - initial: masks to start from (an earlier run's), or nil to start dense.
///   - select: the prunable parameters (by default Linear and Conv2d weights).
///   - evaluateAfterPruning: also evaluate right after each pruning, before retraining.
///   - train: trains step `step` (one epoch).
///   - evaluate: the score to record after the step (e.g. test accuracy).
///   - progress: called with each step's record.
/// - Returns: the final masks (to apply to a later optimizer) and one record per step.
public func pruneIteratively(
    _ model: Module, optimizer: Optimizer, schedule: PruningSchedule, steps: Int,
    criterion: PruningCriterion = .magnitude, target: @escaping (Float) -> SparsityTarget = SparsityTarget.uniform,
    masks initial: PruningMasks? = nil, select: ((String, Tensor) -> Bool)? = nil,
    evaluateAfterPruning: Bool = false,
    train: (_ step: Int) throws -> Void, evaluate: () throws -> Double,
    progress: (PruningStepRecord) -> Void = { _ in }
) throws -> (masks: PruningMasks, history: [PruningStepRecord]) {
    let pruner = try ScheduledPruner(model, optimizer: optimizer, schedule: schedule, criterion: criterion, target: target,
                                     masks: initial, select: select)
    var history: [PruningStepRecord] = []
    for step in 0..<steps {
        let goal = try pruner.advance()
        let afterPruning = goal != nil && evaluateAfterPruning ? try evaluate() : nil
        try train(step)
        let record = PruningStepRecord(step: step, targetSparsity: goal, sparsity: pruner.masks.sparsity,
                                       metricAfterPruning: afterPruning, metric: try evaluate())
        history.append(record)
        progress(record)
    }
    return (pruner.masks, history)
}
