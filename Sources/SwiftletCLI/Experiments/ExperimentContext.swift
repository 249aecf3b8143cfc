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
    /// Where progress and results go: nowhere on ranks other than 0 in data-parallel training.
    public let console: Console
    public let json: Bool
    /// With `--distributed`: the ranks this process trains with. Every training pass then runs
    /// data-parallel (`DataParallel`) on this rank's shard of the data, and only rank 0 prints
    /// and writes files.
    public let communicator: (any Communicator)?
    /// The built-in model a single-step command trains, recorded in each checkpoint's metadata
    /// (`"model"`) so that loading it as another architecture is refused. Nil in experiments.
    let modelName: String?
    public private(set) var results: [StageResult] = []
    /// Extra tables for the report (e.g. a per-layer breakdown), in the order added.
    private(set) var tables: [(title: String, table: Table)] = []
    private var stageStart = Date()

    init(experiment: String, seed: UInt64, epochsOverride: Int?, outputDirectory: URL, fetchOptions: FetchOptions,
         validationImages: Int? = nil, console: Console, json: Bool, modelName: String? = nil, communicator: (any Communicator)? = nil) {
        self.experiment = experiment
        self.modelName = modelName
        self.seed = seed
        self.epochsOverride = epochsOverride
        self.outputDirectory = outputDirectory
        self.fetchOptions = fetchOptions
        self.validationImages = validationImages
        self.communicator = communicator
        self.console = (communicator?.rank ?? 0) == 0 ? console : .muted
        self.json = json
    }

    /// Whether this process prints and writes files: always, except ranks other than 0.
    public var isRoot: Bool { (communicator?.rank ?? 0) == 0 }

    /// This process's part of each training epoch.
    public var shard: DatasetShard {
        get throws { try communicator.map { try DatasetShard(rank: $0.rank, count: $0.size) } ?? .whole }
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
                             batchSize: batchSize, seed: seed, shard: shard)
    }

    /// Trains `epochs` epochs with a progress bar on stderr, stepping `schedule` after each epoch
    /// and then calling `afterEpoch` with the epoch's number (1-based). `shuffleOffset` shifts the
    /// epochs' shuffling seeds, so training resumed in several calls does not see the same batch
    /// order again.
    public func train(_ model: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
               schedule: LearningRateSchedule? = nil, shuffleOffset: Int = 0,
               loss: ((Tensor, LabeledBatch) throws -> Tensor)? = nil, afterEpoch: ((Int) throws -> Void)? = nil) throws {
        try runEpochs(epochs, data: data, stage: stage, schedule: schedule, afterEpoch: afterEpoch) { epoch, progress in
            try trainingPass(model, optimizer: optimizer, data: data, shuffle: shuffleOffset + epoch, loss: loss, progress: progress)
        }
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

    /// Distils `teacher` into `student` for `epochs` epochs (see `distillEpoch`) with a progress
    /// bar. `cacheTeacher` runs the teacher in the first epoch only: valid only when `data`
    /// has no augmentation, otherwise the cache throws in the second epoch.
    func distill(_ student: Module, teacher: Module, optimizer: Optimizer, data: ImageData, epochs: Int, stage: String,
                 targets: DistillationTargets, cacheTeacher: Bool, schedule: LearningRateSchedule? = nil) throws {
        let cache = cacheTeacher ? TeacherLogitCache() : nil
        try runEpochs(epochs, data: data, stage: stage, schedule: schedule) { epoch, progress in
            try dataParallelPass(student, optimizer: optimizer) { dataParallel in
                try distillEpoch(student: student, teacher: teacher, optimizer: optimizer, batches: data.trainBatches(epoch: epoch),
                                 batchCount: data.trainBatchCount, targets: targets, cache: cache, dataParallel: dataParallel,
                                 progress: progress)
            }
        }
    }

    /// The epoch loop both share: one progress-bar line per epoch, then the schedule's step;
    /// a warning if the last epoch ended at chance level.
    private func runEpochs(_ epochs: Int, data: ImageData, stage: String, schedule: LearningRateSchedule?,
                           afterEpoch: ((Int) throws -> Void)? = nil,
                           epoch runEpoch: (Int, @escaping (BatchProgress) -> Void) throws -> EpochResult) throws {
        guard epochs > 0 else { return }
        let bar = ProgressBar(stage: stage, stepsPerPass: data.trainBatchCount, epochs: epochs, console: console)
        for epoch in 1...epochs {
            let result = try pass(of: bar, epoch: epoch) { try runEpoch(epoch, $0) }
            schedule?.step()
            try afterEpoch?(epoch)
            if epoch == epochs { warnIfAtChanceLevel(result, epoch: epoch, stage: stage, data: data) }
        }
    }

    /// Trains one epoch as one pass of `bar`, shown as epoch `epoch` (1-based), with the
    /// training set shuffled as for epoch `shuffle` (default: `epoch`).
    public func trainEpoch(_ model: Module, optimizer: Optimizer, data: ImageData, epoch: Int, shuffle: Int? = nil, bar: ProgressBar,
                    loss: ((Tensor, LabeledBatch) throws -> Tensor)? = nil, beforeBatch: () throws -> Void = {}) throws {
        try pass(of: bar, epoch: epoch) { progress in
            try trainingPass(model, optimizer: optimizer, data: data, shuffle: shuffle ?? epoch, loss: loss,
                             beforeBatch: beforeBatch, progress: progress)
        }
    }

    /// One epoch of training on the batches shuffled as for epoch `shuffle`; cross-entropy unless `loss` is given.
    private func trainingPass(_ model: Module, optimizer: Optimizer, data: ImageData, shuffle: Int,
                              loss: ((Tensor, LabeledBatch) throws -> Tensor)?, beforeBatch: () throws -> Void = {},
                              progress: (BatchProgress) -> Void) throws -> EpochResult {
        try dataParallelPass(model, optimizer: optimizer) { dataParallel in
            try Swiftlet.trainEpoch(model, optimizer: optimizer, batches: data.trainBatches(epoch: shuffle), batchCount: data.trainBatchCount,
                                    loss: loss ?? { try crossEntropy($0, $1.labels) }, beforeBatch: beforeBatch,
                                    dataParallel: dataParallel, progress: progress)
        }
    }

    /// Runs one training pass, data-parallel with `--distributed`: it starts and ends with every
    /// rank holding rank 0's parameters and buffers, so all ranks begin from rank 0's weights and
    /// evaluate with rank 0's BatchNorm running statistics; in between, gradients are averaged.
    private func dataParallelPass(_ model: Module, optimizer: Optimizer, _ pass: (DataParallel?) throws -> EpochResult) throws -> EpochResult {
        guard let communicator else { return try pass(nil) }
        let dataParallel = DataParallel(parameters: optimizer.parameters, communicator: communicator)
        try dataParallel.broadcastState(of: model, what: "rank 0's weights before the pass")
        let result = try pass(dataParallel)
        try dataParallel.broadcastState(of: model, what: "rank 0's weights and BatchNorm statistics after the pass")
        return result
    }

    /// Runs `epoch` as one pass of `bar`: started, advanced with each batch's loss and accuracy, finished.
    /// A divergence is reported with its epoch.
    @discardableResult
    private func pass(of bar: ProgressBar, epoch: Int, _ run: (@escaping (BatchProgress) -> Void) throws -> EpochResult) throws -> EpochResult {
        bar.start(epoch: epoch)
        defer { bar.finish() }
        do {
            return try run { progress in
                // Images of all ranks: the throughput shown is the whole job's.
                bar.advance(items: progress.batchImages * (self.communicator?.size ?? 1), metrics: [.init("loss", progress.loss), .percent("acc", progress.accuracy)])
            }
        } catch let divergence as TrainingDivergence {
            throw divergence.inEpoch(epoch)
        }
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
        if save && isRoot {
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
