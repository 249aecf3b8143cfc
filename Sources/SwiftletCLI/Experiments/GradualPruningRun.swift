import Swiftlet

extension GradualPruningSchedule {
    /// AGP from 0 to `finalSparsity` within the first `epochs` epochs of `data`, pruning every
    /// `frequency` optimizer steps, or more often where those epochs have too few steps (a
    /// schedule for `TrainingClock.step`). The last pruning falls on a step of those epochs, so
    /// the final sparsity is reached even when no training follows them; with a single step
    /// it prunes to the final sparsity at once.
    init(finalSparsity: Float, every frequency: Int, overEpochs epochs: Int, of data: ImageData) throws {
        let lastStep = epochs * data.trainBatchCount - 1
        guard lastStep > 0 else {
            try self.init(initialSparsity: finalSparsity, finalSparsity: finalSparsity, intervals: 1)
            return
        }
        let frequency = min(frequency, lastStep)
        try self.init(finalSparsity: finalSparsity, frequency: frequency, intervals: lastStep / frequency)
    }
}

extension ExperimentContext {
    /// Gradual or iterative pruning with training: `epochs` epochs, pruning to the schedule's
    /// target whenever it names one for the current step (an epoch or an optimizer step, by
    /// `clock`; masks only grow and live in `optimizer`, so pruned weights stay zero; weights
    /// that are already zero, as in a pruned checkpoint, count as pruned from the start). Each
    /// epoch ends as a stage `<label>-<epoch>`; the last one's stage is `finalStage`, saved as
    /// `<checkpointName or finalStage>.safetensors`; the others are not saved.
    ///
    /// - Parameters:
    ///   - criterion: how weights are ranked at each pruning.
    ///   - target: turns the schedule's sparsity into a target, e.g. `SparsityTarget.global`.
    ///   - learningRates: stepped after every epoch.
    /// - Returns: the final masks.
    @discardableResult
    func pruneGradually(_ model: Module, optimizer: Optimizer, data: ImageData, schedule: PruningSchedule, clock: TrainingClock = .epoch,
                        epochs: Int, target: @escaping (Float) -> SparsityTarget, criterion: PruningCriterion = .magnitude,
                        label: String, finalStage: String, checkpointName: String? = nil,
                        learningRates: LearningRateSchedule? = nil) throws -> PruningMasks {
        let pruner = try ScheduledPruner(model, optimizer: optimizer, schedule: schedule, criterion: criterion, target: target,
                                         masks: PruningMasks(zerosOf: model))
        let trainer = Trainer(model, optimizer: optimizer)
        trainer.schedule = learningRates
        trainer.callbacks = [ScheduledPruning(pruner, every: clock), EpochEndCallback { _, record in
            let last = record.epoch == epochs
            try self.finishStage(last ? finalStage : "\(label)-\(record.epoch)", model: model, data: data, save: last, as: checkpointName)
        }]
        try fit(trainer, data: data, epochs: epochs, stage: label)
        return pruner.masks
    }
}
