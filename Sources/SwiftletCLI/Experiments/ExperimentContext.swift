import Datasets
import Foundation
import Swiftlet
import SwiftletBenchmarks

/// What an experiment needs from the command line: options, data, progress display, and
/// where stage results, checkpoints and the report go.
public final class ExperimentContext {
    public let experiment: String
    public let seed: UInt64
    public let epochsOverride: Int?
    public let outputDirectory: URL
    let fetchOptions: FetchOptions
    /// With `--validation N`: the last N training images replace the test set and are not
    /// trained on, so every accuracy is a validation accuracy.
    public let validationImages: Int?
    public let console: Console
    public let json: Bool
    /// The built-in model a single-step command trains, recorded in each checkpoint's metadata
    /// (`"model"`) so that loading it as another architecture is refused. Nil in experiments.
    let modelName: String?
    public private(set) var results: [StageResult] = []
    /// Extra tables for the report (e.g. a per-layer breakdown), in the order added.
    private(set) var tables: [(title: String, table: Table)] = []
    private var stageStart = Date()

    init(experiment: String, seed: UInt64, epochsOverride: Int?, outputDirectory: URL, fetchOptions: FetchOptions,
         validationImages: Int? = nil, console: Console, json: Bool, modelName: String? = nil) {
        self.experiment = experiment
        self.modelName = modelName
        self.seed = seed
        self.epochsOverride = epochsOverride
        self.outputDirectory = outputDirectory
        self.fetchOptions = fetchOptions
        self.validationImages = validationImages
        self.console = console
        self.json = json
    }

    /// What a stage's checkpoint records about where it came from.
    func checkpointMetadata(stage: String) -> [String: String] {
        var metadata = ["experiment": experiment, "stage": stage, "seed": "\(seed)"]
        metadata["model"] = modelName
        return metadata
    }

    /// The recipe's epoch count unless `--epochs` overrides it.
    public func epochs(default recipe: Int) -> Int { epochsOverride ?? recipe }

    /// Loads (fetching if needed) a dataset with the recipe's normalisation and batch size.
    public func loadImages(_ name: String, normalization: Normalization, augmentation: Augmentation? = nil,
                    batchSize: Int = 64) throws -> ImageData {
        let full = try loadDataset(name, options: fetchOptions)
        let dataset = try validationImages.map { try full.holdingOut(validation: $0) } ?? full
        return try ImageData(dataset: dataset, normalization: normalization, augmentation: augmentation,
                             batchSize: batchSize, seed: seed)
    }

    /// Trains `epochs` epochs with a progress bar on stderr, stepping `schedule` after each epoch
    /// and then calling `afterEpoch` with the epoch's number (1-based). `shuffleOffset` shifts the
    /// epochs' shuffling seeds, so training resumed in several calls does not see the same batch
    /// order again.
    public func train(_ model: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
                      schedule: LearningRateSchedule? = nil, shuffleOffset: Int = 0,
                      loss: ((Tensor, LabeledBatch) throws -> Tensor)? = nil, afterEpoch: ((Int) throws -> Void)? = nil) throws {
        let trainer = Trainer(model, optimizer: optimizer)
        if let loss { trainer.loss = loss }
        trainer.schedule = schedule
        if let afterEpoch { trainer.callbacks.append(EpochEndCallback { _, record in try afterEpoch(record.epoch) }) }
        try fit(trainer, data: data, epochs: epochs, stage: stage, shuffleOffset: shuffleOffset)
    }

    /// A fresh model of the built-in architecture `name`, seeded by `--seed`, trained with the
    /// documents' SGD recipe (lr 0.01, momentum 0.9) on `trainingData` (default: `data`), then
    /// its stage finished on `data`.
    func trainModel(_ name: String, data: ImageData, trainingData: ImageData? = nil, epochs: Int, stage: String) throws -> Module {
        GlobalRandom.seed(seed)
        let model = try ModelZoo.entry(name).make()
        try train(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9), data: trainingData ?? data, epochs: epochs, stage: stage)
        try finishStage(stage, model: model, data: data)
        return model
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
        let progress = ProgressBarCallback(ProgressBar(stage: stage, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console))
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

    /// Adds a table to the report, after the stage table.
    public func addTable(_ title: String, _ table: Table) {
        tables.append((title, table))
    }

    /// Evaluation of `model` on the test set (the validation split with `--validation`).
    public func evaluate(_ model: Module, data: ImageData) throws -> EpochResult {
        try Swiftlet.evaluate(model, batches: data.testBatches())
    }

    /// Ends a stage: evaluates on the test set (unless the caller passes an `evaluation` made
    /// another way, e.g. through the int8 pipeline), measures the model (and takes `speed`, a
    /// timed comparison with a reference model, where the stage made one), saves its checkpoint
    /// as `<out>/<checkpointName or stage>.safetensors` (unless `save` is false), prints the JSON
    /// line with `--json`, and restarts the stage clock.
    @discardableResult
    public func finishStage(_ stage: String, model: Module, data: ImageData, evaluation: EpochResult? = nil, bits: Int? = nil,
                     storedBytes: Int? = nil, speed: InferenceSpeedComparison? = nil, save: Bool = true,
                     as checkpointName: String? = nil) throws -> StageResult {
        let evaluation = try evaluation ?? evaluate(model, data: data)
        let footprint = try ModelFootprint(of: model, inputShape: data.imageShape)
        let result = StageResult(experiment: experiment, stage: stage, accuracy: evaluation.accuracy, footprint: footprint,
                                 seconds: Date().timeIntervalSince(stageStart), bits: bits, storedBytes: storedBytes,
                                 imagesPerSecond: evaluation.imagesPerSecond, speed: speed, validationImages: validationImages)
        if save {
            try model.save(to: outputDirectory.appendingPathComponent("\(checkpointName ?? stage).safetensors"),
                           metadata: checkpointMetadata(stage: stage))
        }
        results.append(result)
        if json { JSONLinesWriter(sink: console.output).write(result.json) }
        console.diagnostics.write("\(stage): \(result.evaluatedOn) accuracy \(HumanReadable.percent(result.accuracy)), "
                                  + "sparsity \(HumanReadable.percent(result.sparsity))\n")
        stageStart = Date()
        return result
    }
}
