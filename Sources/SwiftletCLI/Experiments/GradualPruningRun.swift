import Swiftlet

/// What one step of a pruning schedule counts: an epoch, or one optimizer step (batch), as
/// Zhu & Gupta prune every Δt ≈ 100 steps.
enum PruningClock {
    case epoch, batch
}

extension GradualPruningSchedule {
    /// AGP from 0 to `finalSparsity` over the first `epochs` epochs of `data`, pruning every
    /// `frequency` optimizer steps (a schedule for `PruningClock.batch`).
    init(finalSparsity: Float, every frequency: Int, overEpochs epochs: Int, of data: ImageData) throws {
        try self.init(finalSparsity: finalSparsity, frequency: frequency, intervals: max(epochs * data.trainBatchCount / frequency, 1))
    }
}

extension ExperimentContext {
    /// Gradual or iterative pruning with training: `epochs` epochs, pruning to the schedule's
    /// target whenever it names one for the current step (an epoch or a batch, by `clock`;
    /// masks only grow and live in `optimizer`, so pruned weights stay zero; weights that are
    /// already zero, as in a pruned checkpoint, count as pruned from the start). Each epoch ends
    /// as a stage `<label>-<epoch>`; the last one's stage is `finalStage`, saved as
    /// `<checkpointName or finalStage>.safetensors`; the others are not saved.
    ///
    /// - Parameters:
    ///   - criterion: how weights are ranked at each pruning.
    ///   - target: turns the schedule's sparsity into a target, e.g. `SparsityTarget.global`.
    ///   - learningRates: stepped after every epoch.
    /// - Returns: the final masks.
    @discardableResult
    func pruneGradually(_ model: Module, optimizer: Optimizer, data: ImageData, schedule: PruningSchedule, clock: PruningClock = .epoch,
                        epochs: Int, target: @escaping (Float) -> SparsityTarget, criterion: PruningCriterion = .magnitude,
                        label: String, finalStage: String, checkpointName: String? = nil,
                        learningRates: LearningRateSchedule? = nil) throws -> PruningMasks {
        let pruner = try ScheduledPruner(model, optimizer: optimizer, schedule: schedule, criterion: criterion, target: target,
                                         masks: PruningMasks(zerosOf: model))
        let bar = ProgressBar(stage: label, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console)
        for epoch in stride(from: 1, through: epochs, by: 1) {
            if clock == .epoch { try pruner.advance() }
            try trainEpoch(model, optimizer: optimizer, data: data, epoch: epoch, bar: bar,
                           beforeBatch: { if clock == .batch { try pruner.advance() } })
            learningRates?.step()
            let last = epoch == epochs
            try finishStage(last ? finalStage : "\(label)-\(epoch)", model: model, data: data, save: last, as: checkpointName)
        }
        return pruner.masks
    }
}
