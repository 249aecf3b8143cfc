import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet train`: trains a built-in model and writes its checkpoint.
struct TrainCommand: Command {
    let catalog: Catalog
    let name = "train"
    let summary = "Train a built-in model on mnist, cifar10 or an IDX folder; writes OUT/model.safetensors"
    let discussion = "After every epoch the model, the optimizer's state and training-state.json (how far the run got) are committed to OUT together, never one without the others. --resume OUT continues a run stopped at any moment from its last completed epoch and ends with the same files, byte for byte, as a run never stopped; repeat the run's options (--epochs may grow). With --distributed under `mpirun -np N`, each of the N processes trains on its shard of every epoch with --batch-size images per step (N × that per optimizer step), gradients are averaged across processes, and rank 0 alone prints and writes OUT (docs/distributed.md)."
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Learning rate")
    static let momentum = Option.number("momentum", default: 0.9, range: .nonNegative, help: "SGD momentum")
    static let batchSize = Option.integer("batch-size", default: 64, range: .images, help: "Images per batch")
    static let optimizer = Option.choice("optimizer", ["sgd", "adam"], default: "sgd", help: "Optimizer")
    static let resume = Option<String?>.string("resume", placeholder: "DIR", help: "Continue the run that writes to DIR from its last completed epoch")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.dataset, CommonOptions.epochs, Self.learningRate, Self.momentum, Self.batchSize,
         Self.optimizer, CommonOptions.out, Self.resume] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let entry = try catalog.requiredModel(arguments, command: "swiftlet train")
        CommonOptions.applyThreads(arguments)
        if let resume = arguments[Self.resume], let out = arguments[CommonOptions.out],
           URL(fileURLWithPath: resume).standardizedFileURL != URL(fileURLWithPath: out).standardizedFileURL {
            throw ResumeError.conflictingOutput(out: out, resume: resume)
        }
        if arguments[CommonOptions.distributed], arguments[Self.resume] != nil {
            throw UsageError.optionConflict("--distributed", requirement: "does not resume runs yet (resume in one process)", conflicting: "--resume")
        }
        let run = try DistributedRun(arguments, claiming: URL(fileURLWithPath: arguments[Self.resume] ?? arguments[CommonOptions.out] ?? "runs/train-\(entry.name)"))
        defer { run.release() }
        let context = CommonOptions.context(arguments, experiment: "train", model: entry, run: run, console: console,
                                            epochsOverride: arguments[CommonOptions.epochs])
        let epochs = context.epochs(default: 10)
        let data = try CommonOptions.imageData(arguments, for: entry, batchSize: arguments[Self.batchSize], shard: try context.shard)
        GlobalRandom.seed(context.seed)
        let model = entry.make()
        let lr = arguments[Self.learningRate]
        let optimizer: Optimizer = arguments[Self.optimizer] == "adam"
            ? Adam(model.parameters, lr: lr)
            : SGD(model.parameters, lr: lr, momentum: arguments[Self.momentum])

        let settings = ["model": entry.name, "dataset": arguments[CommonOptions.dataset], "optimizer": arguments[Self.optimizer],
                        "lr": "\(arguments[Self.learningRate])", "momentum": "\(arguments[Self.momentum])",
                        "batch-size": "\(arguments[Self.batchSize])", "seed": "\(context.seed)"]
        var completed = 0
        if arguments[Self.resume] != nil {
            if let saved = try TrainingState.restore(model: model, optimizer: optimizer, from: run.url) {
                try saved.check(against: settings, epochs: epochs, folder: run.url)
                completed = saved.epochsCompleted
                console.diagnostics.write("resuming \(run.url.path) after epoch \(completed) of \(epochs)\n")
            } else {
                console.diagnostics.write("\(run.url.path) holds no training state yet: starting from epoch 1\n")
            }
        }
        let metadata = context.checkpointMetadata(stage: "trained")
        try context.train(model, optimizer: optimizer, data: data, epochs: epochs - completed, stage: "trained",
                          shuffleOffset: completed, afterEpoch: { epoch in
            guard let output = run.folder else { return }
            try TrainingState(settings: settings, epochsCompleted: completed + epoch, randomState: GlobalRandom.generator.stateWords)
                .commit(model: model, metadata: metadata, optimizer: optimizer, to: output)
        })
        let result = try context.finishStage("trained", model: model, data: data, save: false)
        if !context.json {
            context.console.output.write("\(entry.name): test accuracy \(HumanReadable.percent(result.accuracy)); wrote \(run.url.path)/\(TrainingState.modelFile)\n")
        }
        run.finish()
    }
}
