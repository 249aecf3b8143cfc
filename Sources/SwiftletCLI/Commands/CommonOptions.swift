import Datasets
import Foundation
import Swiftlet
import SwiftletFiles
import SwiftletKernels

/// Options several commands share, and what they turn into.
enum CommonOptions {
    static let dataset = Option.string("dataset", placeholder: "NAME|DIR", default: "mnist",
                                       help: "mnist, cifar10, or a folder of IDX files laid out like MNIST")
    static let checkpoint = Option<String?>.string("checkpoint", placeholder: "FILE", help: "A .safetensors checkpoint")
    static let epochs = Option<Int?>.integer("epochs", range: .epochs, help: "Training epochs (default: the recipe's)")
    static let out = Option<String?>.string("out", placeholder: "DIR", help: "Output folder (default: runs/<name>)")
    static let distributed = Option.flag("distributed", help: "Data-parallel training across the processes of `mpirun -np N` (needs a build with --traits MPI; docs/distributed.md)")
    static let distributedTimeout = Option.integer("distributed-timeout", default: 20, range: .within(1...3600),
                                                   help: "Seconds a rank waits for the others in a collective before naming the lost ranks and exiting")
    static let allowNonFinite = Option.flag("allow-non-finite", help: "Load checkpoint weights that hold NaN or infinity (refused otherwise)")

    /// Applies `--threads` to the kernels.
    static func applyThreads(_ arguments: ParsedArguments) {
        if let threads = arguments[GlobalOptions.threads] { Parallel.threads = threads }
    }

    /// With `--distributed`, the MPI job's communicator (MPI initialised); nil without.
    /// Throws `DistributedError.builtWithoutMPI` in a build without the MPI trait.
    static func communicator(_ arguments: ParsedArguments) throws -> (any Communicator)? {
        guard arguments[distributed] else { return nil }
        return try openMPICommunicator(timeout: Double(arguments[distributedTimeout]))
    }

    /// Where datasets are cached and fetched from: `--data-dir`/`SWIFTLET_DATA`, `--mirror`/`SWIFTLET_MIRROR`.
    static func fetchOptions(_ arguments: ParsedArguments) -> FetchOptions {
        FetchOptions(dataDirectory: arguments[GlobalOptions.dataDirectory].map { URL(fileURLWithPath: $0) },
                     mirror: arguments[GlobalOptions.mirror].map { URL(fileURLWithPath: $0) })
    }

    /// `--out`, or `runs/<name>` under the current folder, claimed before any work: created,
    /// checked writable, locked against a second command writing there (`OutputFolder`), and
    /// refused if it holds one of the command's `inputs`, which its outputs could replace.
    /// Call `release()` on it when the command is done (a `defer`).
    static func claimOutputFolder(_ arguments: ParsedArguments, defaultName: String, inputs: [String?] = []) throws -> OutputFolder {
        let folder = try OutputFolder(claiming: URL(fileURLWithPath: arguments[out] ?? "runs/\(defaultName)"))
        try folder.refuseInputsInside(inputs.compactMap { $0.map { URL(fileURLWithPath: $0) } })
        return folder
    }

    /// `--distributed` and `--distributed-timeout`, for every command that trains.
    static var distributedOptions: [any OptionDeclaration] { [distributed, distributedTimeout] }

    /// Throws if `output` (the value of `option`) is the `--checkpoint` file the command reads.
    static func refuseOverwritingCheckpoint(_ output: String, _ arguments: ParsedArguments, option: String) throws {
        try refuseOverwritingInputs(URL(fileURLWithPath: output), inputs: [arguments[checkpoint]].compactMap { $0.map { URL(fileURLWithPath: $0) } },
                                    option: option)
    }

    /// The context a single-step command (train, prune, quantize) reports its stages through,
    /// writing into `folder`; its checkpoints record that they hold `model`.
    static func context(_ arguments: ParsedArguments, experiment: String, model: ModelZoo.Entry, run: DistributedRun, console: Console,
                        epochsOverride: Int? = nil) -> ExperimentContext {
        ExperimentContext(experiment: experiment, seed: UInt64(arguments[GlobalOptions.seed]), epochsOverride: epochsOverride,
                          outputDirectory: run.url, fetchOptions: fetchOptions(arguments), console: console,
                          json: arguments[GlobalOptions.json], modelName: model.name, communicator: run.communicator)
    }

    /// Refuses a checkpoint whose metadata names another built-in model than `entry`: shapes
    /// alone cannot tell (mnist-net's weights fit lenet5 as if it had been structurally pruned).
    static func checkModel(of file: SafeTensorsFile, at path: String, is entry: ModelZoo.Entry) throws {
        if let saved = file.metadata["model"], saved != entry.name {
            throw UsageError.checkpointOfAnotherModel(path: path, saved: saved, requested: entry.name)
        }
    }

    /// The normalisation each dataset's recipes use: mean/std 0.5 for MNIST-like data (the
    /// documents' transform), per-channel statistics for CIFAR-10.
    static func normalization(forChannels channels: Int) -> Normalization {
        channels == 3 ? .cifar10 : .centered(channels: 1)
    }

    /// The model with the float weights of `--checkpoint`, required.
    static func loadModel(_ arguments: ParsedArguments, catalog: Catalog, command: String) throws -> (ModelZoo.Entry, Module) {
        let (entry, path) = try requiredModelAndCheckpoint(arguments, catalog: catalog, command: command)
        return (entry, try loadFloatModel(entry, from: path, command: command, allowNonFinite: arguments[allowNonFinite]))
    }

    /// A model of `entry` with the float weights of the checkpoint at `path`.
    static func loadFloatModel(_ entry: ModelZoo.Entry, from path: String, command: String, allowNonFinite: Bool) throws -> Module {
        let (model, quantized) = try loadCheckpoint(entry, from: path, allowNonFinite: allowNonFinite)
        guard quantized == nil else {
            throw UsageError.quantizedCheckpoint(path: path, command: command)
        }
        return model
    }

    /// The model restored from `--checkpoint`, required: float weights loaded as they are,
    /// or a quantized checkpoint (`swiftlet quantize`) restored into quantized layers, returned too.
    static func loadCheckpoint(_ arguments: ParsedArguments, catalog: Catalog, command: String) throws -> (ModelZoo.Entry, Module, QuantizedCheckpoint?) {
        let (entry, path) = try requiredModelAndCheckpoint(arguments, catalog: catalog, command: command)
        let (model, quantized) = try loadCheckpoint(entry, from: path, allowNonFinite: arguments[allowNonFinite])
        return (entry, model, quantized)
    }

    /// `--model` and `--checkpoint`, both required.
    private static func requiredModelAndCheckpoint(_ arguments: ParsedArguments, catalog: Catalog, command: String) throws -> (ModelZoo.Entry, String) {
        let entry = try catalog.requiredModel(arguments, command: command)
        guard let path = arguments[checkpoint] else { throw UsageError.missingArgument("--checkpoint", command: command) }
        return (entry, path)
    }

    /// A model of `entry` restored from the checkpoint at `path`, float or quantized (see above).
    static func loadCheckpoint(_ entry: ModelZoo.Entry, from path: String, allowNonFinite: Bool) throws -> (Module, QuantizedCheckpoint?) {
        let url = URL(fileURLWithPath: path)
        let model = entry.make()
        let file = try SafeTensorsFile.read(from: url)
        try checkModel(of: file, at: path, is: entry)
        guard QuantizedCheckpoint.isQuantized(file) else {
            // loadPruned also takes checkpoints that structured pruning made smaller.
            try model.loadPruned(file, allowNonFinite: allowNonFinite)
            return (model, nil)
        }
        let quantized = try QuantizedCheckpoint(file: file)
        try quantized.restore(into: model, allowNonFinite: allowNonFinite)
        return (model, quantized)
    }

    /// The dataset of `--dataset`, checked to fit `entry`'s input, normalised the way its
    /// recipes do, in batches of `batchSize` (per rank: `shard` is this rank's share of each
    /// epoch), its training images augmented by `augmentation`.
    static func imageData(_ arguments: ParsedArguments, for entry: ModelZoo.Entry, batchSize: Int = 64,
                          augmentation: Augmentation? = nil, shard: DatasetShard = .whole) throws -> ImageData {
        let dataset = try loadDataset(arguments[self.dataset], options: fetchOptions(arguments))
        let shape = [dataset.train.channels, dataset.train.height, dataset.train.width]
        guard entry.inputShape == shape else {
            throw UsageError.datasetDoesNotFitModel(model: entry.name, expects: entry.inputShape, dataset: arguments[self.dataset], has: shape)
        }
        return try ImageData(dataset: dataset, normalization: normalization(forChannels: shape[0]), augmentation: augmentation,
                             batchSize: batchSize, seed: UInt64(arguments[GlobalOptions.seed]), shard: shard)
    }
}
