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
    /// With `reproduce --base FILE`: the checkpoint the experiment's base model is read from
    /// instead of being trained (`baseModel`).
    public let baseCheckpoint: URL?
    /// Where progress and results go: nowhere on ranks other than 0 in data-parallel training.
    public let console: Console
    public let json: Bool
    /// With `--distributed`: the ranks this process trains with. Every training pass then runs
    /// data-parallel (`DataParallel`) on this rank's shard of the data, and only rank 0 prints
    /// and writes files.
    public let communicator: (any Communicator)?
    /// The models the experiment can name: the built-in ones and the program's (`Catalog`).
    let catalog: Catalog
    /// The built-in model a single-step command trains, recorded in each checkpoint's metadata
    /// (`"model"`) so that loading it as another architecture is refused. Nil in experiments.
    let modelName: String?
    public private(set) var results: [StageResult] = []
    /// Extra tables for the report (e.g. a per-layer breakdown), in the order added.
    private(set) var tables: [(title: String, table: Table)] = []
    private var stageStart = Date()

    init(experiment: String, seed: UInt64, epochsOverride: Int?, outputDirectory: URL, fetchOptions: FetchOptions,
         validationImages: Int? = nil, baseCheckpoint: URL? = nil, console: Console, json: Bool, modelName: String? = nil, communicator: (any Communicator)? = nil,
         catalog: Catalog = Catalog()) {
        self.experiment = experiment
        self.modelName = modelName
        self.catalog = catalog
        self.seed = seed
        self.epochsOverride = epochsOverride
        self.outputDirectory = outputDirectory
        self.fetchOptions = fetchOptions
        self.validationImages = validationImages
        self.baseCheckpoint = baseCheckpoint
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

    /// Gives `model` the experiment's base weights: read from `baseCheckpoint` when the run has
    /// one (the report says so under `stage`), trained by `train` otherwise.
    public func baseModel(_ model: Module, stage: String, train: () throws -> Void) throws {
        guard let baseCheckpoint else { return try train() }
        try model.load(from: baseCheckpoint)
        var source = Table(headers: ["stage", "read from"])
        source.append([stage, baseCheckpoint.path + " (reproduce --base), not trained in this run"])
        addTable("Base model", source)
    }

    /// Loads (fetching if needed) a dataset with the recipe's normalisation and batch size.
    public func loadImages(_ name: String, normalization: Normalization, augmentation: Augmentation? = nil,
                    batchSize: Int = 64) throws -> ImageData {
        let full = try loadDataset(name, options: fetchOptions)
        let dataset = try validationImages.map { try full.holdingOut(validation: $0) } ?? full
        return try ImageData(dataset: dataset, normalization: normalization, augmentation: augmentation,
                             batchSize: batchSize, seed: seed, shard: shard)
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
