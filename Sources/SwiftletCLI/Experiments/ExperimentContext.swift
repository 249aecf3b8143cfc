import Datasets
import Foundation
import Swiftlet
import SwiftletBenchmarks

/// What an experiment needs from the command line: options, data, progress display, and
/// where stage results, checkpoints and the report go.
final class ExperimentContext {
    let experiment: String
    let seed: UInt64
    let epochsOverride: Int?
    let outputDirectory: URL
    let fetchOptions: FetchOptions
    let console: Console
    let json: Bool
    private(set) var results: [StageResult] = []
    private var stageStart = Date()

    init(experiment: String, seed: UInt64, epochsOverride: Int?, outputDirectory: URL, fetchOptions: FetchOptions,
         console: Console, json: Bool) {
        self.experiment = experiment
        self.seed = seed
        self.epochsOverride = epochsOverride
        self.outputDirectory = outputDirectory
        self.fetchOptions = fetchOptions
        self.console = console
        self.json = json
    }

    /// The recipe's epoch count unless `--epochs` overrides it.
    func epochs(default recipe: Int) -> Int { epochsOverride ?? recipe }

    /// Loads (fetching if needed) a dataset with the recipe's normalisation and batch size.
    func loadImages(_ name: String, normalization: Normalization, augmentation: Augmentation? = nil,
                    batchSize: Int = 64) throws -> ImageData {
        let dataset = try loadDataset(name, options: fetchOptions)
        return try ImageData(dataset: dataset, normalization: normalization, augmentation: augmentation,
                             batchSize: batchSize, seed: seed)
    }

    /// Trains `epochs` epochs with a progress bar on stderr, stepping `schedule` after each epoch.
    func train(_ model: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
               schedule: LearningRateSchedule? = nil, loss: ((Tensor, LabeledBatch) throws -> Tensor)? = nil) throws {
        try runEpochs(epochs, data: data, stage: stage, schedule: schedule) { epoch, progress in
            try trainEpoch(model, optimizer: optimizer, batches: data.trainBatches(epoch: epoch), batchCount: data.trainBatchCount,
                           loss: loss ?? { try crossEntropy($0, $1.labels) }, progress: progress)
        }
    }

    /// A fresh model of the built-in architecture `name`, seeded by `--seed`, trained with the
    /// documents' SGD recipe (lr 0.01, momentum 0.9) on `trainingData` (default: `data`), then
    /// its stage finished on `data`.
    func trainModel(_ name: String, data: ImageData, trainingData: ImageData? = nil, epochs: Int, stage: String) throws -> Sequential {
        GlobalRandom.seed(seed)
        let model = try ModelZoo.entry(name).make()
        try train(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9), data: trainingData ?? data, epochs: epochs, stage: stage)
        try finishStage(stage, model: model, data: data)
        return model
    }

    /// Distils `teacher` into `student` for `epochs` epochs (see `distillEpoch`) with a progress
    /// bar. `cacheTeacher` runs the teacher in the first epoch only: valid only when `data`
    /// has no augmentation, otherwise the cache throws in the second epoch.
    func distill(_ student: Module, teacher: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
                 targets: DistillationTargets, cacheTeacher: Bool, schedule: LearningRateSchedule? = nil) throws {
        let cache = cacheTeacher ? TeacherLogitCache() : nil
        try runEpochs(epochs, data: data, stage: stage, schedule: schedule) { epoch, progress in
            try distillEpoch(student: student, teacher: teacher, optimizer: optimizer, batches: data.trainBatches(epoch: epoch),
                             batchCount: data.trainBatchCount, targets: targets, cache: cache, progress: progress)
        }
    }

    /// The epoch loop both share: one progress-bar line per epoch, then the schedule's step.
    private func runEpochs(_ epochs: Int, data: ImageData, stage: String, schedule: LearningRateSchedule?,
                           epoch runEpoch: (Int, (BatchProgress) -> Void) throws -> EpochResult) throws {
        guard epochs > 0 else { return }
        let bar = ProgressBar(stage: stage, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console)
        for epoch in 1...epochs {
            bar.start(epoch: epoch)
            _ = try runEpoch(epoch) { progress in
                bar.advance(items: progress.batchImages, metrics: [.init("loss", progress.loss), .percent("acc", progress.accuracy)])
            }
            bar.finish()
            schedule?.step()
        }
    }

    /// Test-set evaluation of `model`.
    func evaluate(_ model: Module, data: ImageData) throws -> EpochResult {
        try Swiftlet.evaluate(model, batches: data.testBatches())
    }

    /// Ends a stage: evaluates on the test set, measures the model, saves its checkpoint as
    /// `<out>/<checkpointName or stage>.safetensors` (unless `save` is false), prints the JSON
    /// line with `--json`, and restarts the stage clock.
    @discardableResult
    func finishStage(_ stage: String, model: Module, data: ImageData, bits: Int? = nil, storedBytes: Int? = nil,
                     speed: InferenceSpeedComparison? = nil, save: Bool = true, as checkpointName: String? = nil) throws -> StageResult {
        let evaluation = try evaluate(model, data: data)
        let footprint = try ModelFootprint(of: model, inputShape: data.imageShape)
        let result = StageResult(experiment: experiment, stage: stage, accuracy: evaluation.accuracy, footprint: footprint,
                                 seconds: Date().timeIntervalSince(stageStart), bits: bits, storedBytes: storedBytes, speed: speed)
        if save {
            try model.save(to: outputDirectory.appendingPathComponent("\(checkpointName ?? stage).safetensors"),
                           metadata: ["experiment": experiment, "stage": stage, "seed": "\(seed)"])
        }
        results.append(result)
        if json { JSONLinesWriter(sink: console.output).write(result.json) }
        console.diagnostics.write("\(stage): test accuracy \(HumanReadable.percent(result.accuracy)), "
                                  + "sparsity \(HumanReadable.percent(footprint.weightSparsity))\n")
        stageStart = Date()
        return result
    }
}
