import Swiftlet

/// How experiments train: through the library's `Trainer`, with a progress bar on stderr and a
/// warning when a stage ends at chance level. `ExperimentContext` itself records stages.
extension ExperimentContext {
    /// Trains `epochs` epochs with a progress bar on stderr, stepping `schedule` after each epoch,
    /// running `callbacks`, and then calling `afterEpoch` with the epoch's number (1-based).
    /// `shuffleOffset` shifts the epochs' shuffling seeds, so training resumed in several calls
    /// does not see the same batch order again.
    public func train(_ model: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
                      schedule: LearningRateSchedule? = nil, shuffleOffset: Int = 0, callbacks: [any TrainerCallback] = [],
                      loss: ((Tensor, LabeledBatch) throws -> Tensor)? = nil, afterEpoch: ((Int) throws -> Void)? = nil) throws {
        let trainer = Trainer(model, optimizer: optimizer)
        if let loss { trainer.loss = loss }
        trainer.schedule = schedule
        trainer.callbacks += callbacks
        if let afterEpoch { trainer.callbacks.append(EpochEndCallback { _, record in try afterEpoch(record.epoch) }) }
        try fit(trainer, data: data, epochs: epochs, stage: stage, shuffleOffset: shuffleOffset)
    }

    /// A fresh model of the architecture `name` (built-in or the program's), seeded by
    /// `--seed`, trained with the documents' SGD recipe, then its stage finished.
    func trainModel(_ name: String, data: ImageData, epochs: Int, stage: String) throws -> Module {
        GlobalRandom.seed(seed)
        let model = try catalog.model(name).make()
        try trainWithDocumentSGD(model, data: data, epochs: epochs, stage: stage)
        try finishStage(stage, model: model, data: data)
        return model
    }

    /// The documents' SGD recipe: lr 0.01, momentum 0.9, `epochs` epochs on `data`.
    func trainWithDocumentSGD(_ model: Module, data: ImageData, epochs: Int, stage: String) throws {
        try train(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9), data: data, epochs: epochs, stage: stage)
    }

    /// Distils `teacher` into `student` for `epochs` epochs (see `distillationObjective`) with a
    /// progress bar. `cacheTeacher` runs the teacher in the first epoch only: valid only when
    /// `data` has no augmentation, otherwise the cache throws in the second epoch.
    func distill(_ student: Module, teacher: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
                 targets: DistillationTargets, cacheTeacher: Bool, schedule: LearningRateSchedule? = nil) throws {
        let cache = cacheTeacher ? TeacherLogitCache() : nil
        let trainer = Trainer(student, optimizer: optimizer, loss: distillationObjective(teacher: teacher, targets: targets, cache: cache))
        trainer.schedule = schedule
        if let cache { trainer.callbacks.append(cache) }
        try withTeacherInEvaluationMode(teacher) { try fit(trainer, data: data, epochs: epochs, stage: stage) }
    }

    /// Runs `trainer` on `data`'s training batches until it has completed `epochs` epochs, with
    /// a progress bar on stderr, evaluating `validation`'s test batches after every epoch when
    /// given; warns if the last epoch ended at chance level. Epoch e is shuffled as epoch
    /// `shuffleOffset + e` of `data`.
    @discardableResult
    func fit(_ trainer: Trainer, data: ImageData, epochs: Int, stage: String, validation: ImageData? = nil,
             shuffleOffset: Int = 0) throws -> [EpochRecord] {
        guard epochs > trainer.state.epochsCompleted else { return [] }
        // With --distributed: data-parallel over this job's ranks, on this rank's shard of `data`.
        if let communicator, trainer.dataParallel == nil {
            trainer.dataParallel = DataParallel(parameters: trainer.optimizer.parameters, communicator: communicator)
        }
        let progress = ProgressBarCallback(ProgressBar(stage: stage, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console),
                                           ranks: communicator?.size ?? 1)
        trainer.callbacks.insert(progress, at: 0)
        defer {
            progress.finishIfRunning()
            trainer.callbacks.removeFirst()
        }
        let evaluateValidation = validation.map { split in { try self.evaluate(trainer.model, data: split) } }
        let records = try trainer.fit(epochs: epochs, batchCount: data.trainBatchCount, batches: { data.trainBatches(epoch: shuffleOffset + $0) },
                                      validation: evaluateValidation)
        if let last = records.last, last.epoch == epochs { warnIfAtChanceLevel(last.training, epoch: last.epoch, stage: stage, data: data) }
        return records
    }
}
