import Swiftlet

extension ExperimentContext {
    /// Gradual or iterative pruning with training, one epoch per schedule step: each epoch
    /// first prunes to the schedule's target when it names one (masks only grow and live in
    /// `optimizer`, so pruned weights stay zero), then trains, then ends as a stage
    /// `<label>-<epoch>`. The last epoch's stage is `finalStage`, saved as
    /// `<checkpointName or finalStage>.safetensors`; the others are not saved.
    ///
    /// - Parameters:
    ///   - criterion: how weights are ranked at each pruning.
    ///   - target: turns the schedule's sparsity into a target, e.g. `SparsityTarget.global`.
    ///   - learningRates: stepped after every epoch.
    /// - Returns: the final masks.
    @discardableResult
    func pruneGradually(_ model: Module, optimizer: Optimizer, data: ImageData, schedule: PruningSchedule, epochs: Int,
                        target: (Float) -> SparsityTarget, criterion: PruningCriterion = .magnitude, label: String, finalStage: String,
                        checkpointName: String? = nil, learningRates: LearningRateSchedule? = nil) throws -> PruningMasks {
        let bar = ProgressBar(stage: label, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console)
        var finishedEpochs = 0
        let (masks, _) = try pruneIteratively(
            model, optimizer: optimizer, schedule: schedule, steps: epochs, criterion: criterion, target: target,
            train: { step in
                try trainEpoch(model, optimizer: optimizer, data: data, epoch: step + 1, bar: bar)
                learningRates?.step()
            },
            evaluate: {
                finishedEpochs += 1
                let last = finishedEpochs == epochs
                return try finishStage(last ? finalStage : "\(label)-\(finishedEpochs)", model: model, data: data,
                                       save: last, as: checkpointName).accuracy
            })
        return masks
    }
}
