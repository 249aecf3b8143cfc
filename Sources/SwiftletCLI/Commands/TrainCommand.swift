import Datasets
import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet train`: trains a built-in model with the library's `Trainer` and writes its checkpoint.
struct TrainCommand: Command {
    let catalog: Catalog
    let name = "train"
    let summary = "Train a built-in model on mnist, cifar10 or an IDX folder; writes OUT/model.safetensors"
    let discussion = """
        After every epoch the model, the optimizer's state and training-state.json (how far the run got) are committed to OUT \
        together, never one without the others. --resume OUT continues a run stopped at any moment from its last completed epoch \
        and ends with the same files, byte for byte, as a run never stopped; repeat the run's options (--epochs may grow unless \
        --lr-schedule is not constant). Learning-rate schedules are stepped after every optimizer step, over all the run's steps. \
        With --distributed under `mpirun -np N`, each of the N processes trains on its shard of every epoch with --batch-size images \
        per step (N × that per optimizer step), gradients are averaged across processes, and rank 0 alone prints and writes OUT \
        (docs/distributed.md).
        """
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Learning rate (the peak of one-cycle)")
    static let momentum = Option.number("momentum", default: 0.9, range: .nonNegative, help: "SGD momentum")
    static let weightDecay = Option.number("weight-decay", default: 0, range: .nonNegative,
                                           help: "L2 weight decay λ, added to each gradient as λ·w (SGD and Adam, as torch.optim)")
    static let batchSize = Option.integer("batch-size", default: 64, range: .images, help: "Images per batch")
    static let optimizer = Option.choice("optimizer", ["sgd", "adam"], default: "sgd", help: "Optimizer")
    static let schedule = Option.choice("lr-schedule", ["constant", "step", "cosine", "one-cycle"], default: "constant",
                                        help: "constant; step (×0.1 at 50 % and 75 % of the steps); cosine annealing to 0; one-cycle (lr/25 up to --lr in the first 30 %, then down to lr/250000)")
    static let warmup = Option.integer("warmup", default: 0, range: .epochsOrNone,
                                       help: "Epochs of linear learning-rate warm-up (raised every step) before --lr-schedule starts")
    static let augment = Option.choice("augment", ["none", "shift", "crop-flip"], default: "none",
                                       help: "Training-image augmentation: shift (random shifts of up to 2 pixels, MNIST) or crop-flip (4-pixel padded random crops and horizontal flips, CIFAR-10)")
    static let validation = Option<Int?>.integer("validation", range: .images,
                                                 help: "Hold out the last N training images and report accuracy on them after every epoch")
    static let earlyStop = Option<Int?>.integer("early-stop", range: .epochs,
                                                help: "Stop after N epochs without a better --validation accuracy")
    static let clipNorm = Option<Float?>.number("clip-norm", range: .positive, help: "Clip the gradients' joint L2 norm to X before every step")
    static let resume = Option<String?>.string("resume", placeholder: "DIR", help: "Continue the run that writes to DIR from its last completed epoch")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.dataset, CommonOptions.epochs, Self.learningRate, Self.momentum, Self.weightDecay, Self.batchSize,
         Self.optimizer, Self.schedule, Self.warmup, Self.augment, Self.validation, Self.earlyStop, Self.clipNorm, CommonOptions.out,
         Self.resume] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let entry = try catalog.requiredModel(arguments, command: "swiftlet train")
        try checkConflicts(arguments)
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
        let data = try CommonOptions.imageData(arguments, for: entry, batchSize: arguments[Self.batchSize], augmentation: augmentation(arguments),
                                               shard: try context.shard)
        let training = try arguments[Self.validation].map { try data.holdingOut(validation: $0) } ?? data
        GlobalRandom.seed(context.seed)
        let model = entry.make()
        let trainer = Trainer(model, optimizer: optimizer(for: model, arguments))
        trainer.schedule = learningRateSchedule(trainer.optimizer, steps: epochs * training.trainBatchCount,
                                                warmup: arguments[Self.warmup] * training.trainBatchCount, arguments)
        trainer.scheduleClock = .step
        trainer.maxGradientNorm = arguments[Self.clipNorm]
        trainer.earlyStopping = arguments[Self.earlyStop].map { EarlyStopping(patience: $0) }

        let settings = settings(arguments, model: entry, seed: context.seed, epochs: epochs)
        if arguments[Self.resume] != nil {
            if try trainer.restore(from: run.url) {
                try trainer.state.check(against: settings, epochs: epochs, folder: run.url)
                console.diagnostics.write("resuming \(run.url.path) after epoch \(trainer.state.epochsCompleted) of \(epochs)\n")
            } else {
                console.diagnostics.write("\(run.url.path) holds no training state yet: starting from epoch 1\n")
            }
        }
        // Rank 0 alone writes checkpoints (other ranks hold no folder).
        trainer.callbacks = run.folder.map { [CheckpointSaver(every: 1, metadata: context.checkpointMetadata(stage: "trained"), settings: settings,
                                                              write: $0.commit)] } ?? []
        let records = try context.fit(trainer, data: training, epochs: epochs, stage: "trained",
                                      validation: arguments[Self.validation] == nil ? nil : training)
        if trainer.isStopping, let last = records.last {
            context.console.diagnostics.write("early stopping after epoch \(last.epoch): no better validation accuracy for \(arguments[Self.earlyStop] ?? 0) epochs\n")
        }
        let result = try context.finishStage("trained", model: model, data: data, save: false)
        if !context.json {
            context.console.output.write("\(entry.name): test accuracy \(HumanReadable.percent(result.accuracy)); wrote \(run.url.path)/\(Trainer.modelFile)\n")
        }
        run.finish()
    }

    private func checkConflicts(_ arguments: ParsedArguments) throws {
        if let patience = arguments[Self.earlyStop], arguments[Self.validation] == nil {
            throw UsageError.optionConflict("--early-stop \(patience)", requirement: "needs --validation N to judge improvement on", conflicting: "no --validation")
        }
        if arguments[Self.warmup] > 0, arguments[Self.schedule] == "one-cycle" {
            throw UsageError.optionConflict("--warmup \(arguments[Self.warmup])", requirement: "cannot be combined with one-cycle, which warms up itself",
                                            conflicting: "--lr-schedule one-cycle")
        }
    }

    private func optimizer(for model: Module, _ arguments: ParsedArguments) -> Optimizer {
        let lr = arguments[Self.learningRate], decay = arguments[Self.weightDecay]
        return arguments[Self.optimizer] == "adam"
            ? Adam(model.parameters, lr: lr, weightDecay: decay)
            : SGD(model.parameters, lr: lr, momentum: arguments[Self.momentum], weightDecay: decay)
    }

    /// The --lr-schedule over `steps` optimizer steps, after `warmup` steps of warm-up; nil
    /// for a constant rate without warm-up.
    private func learningRateSchedule(_ optimizer: Optimizer, steps: Int, warmup: Int, _ arguments: ParsedArguments) -> LearningRateSchedule? {
        let remaining = max(steps - warmup, 1)
        let rule: LearningRateSchedule.Rule
        switch arguments[Self.schedule] {
        case "step": rule = .multiStep(milestones: [remaining / 2, remaining * 3 / 4], gamma: 0.1)
        case "cosine": rule = .cosine(tMax: remaining, minimum: 0)
        case "one-cycle": rule = .oneCycle(totalSteps: steps)
        default:
            guard warmup > 0 else { return nil }
            rule = .constant
        }
        return LearningRateSchedule(optimizer, rule, warmupSteps: warmup)
    }

    private func augmentation(_ arguments: ParsedArguments) -> Augmentation? {
        switch arguments[Self.augment] {
        case "shift": return Augmentation(randomCropPadding: 2)
        case "crop-flip": return .cifar10
        default: return nil
        }
    }

    /// The options that decide the result, by flag name: a resumed run must repeat them. The
    /// epoch count is one of them only where a schedule spans the whole run.
    private func settings(_ arguments: ParsedArguments, model: ModelZoo.Entry, seed: UInt64, epochs: Int) -> [String: String] {
        var settings = ["model": model.name, "dataset": arguments[CommonOptions.dataset], "optimizer": arguments[Self.optimizer],
                        "lr": "\(arguments[Self.learningRate])", "momentum": "\(arguments[Self.momentum])",
                        "weight-decay": "\(arguments[Self.weightDecay])", "batch-size": "\(arguments[Self.batchSize])", "seed": "\(seed)",
                        "lr-schedule": arguments[Self.schedule], "warmup": "\(arguments[Self.warmup])", "augment": arguments[Self.augment]]
        settings["validation"] = arguments[Self.validation].map(String.init)
        settings["early-stop"] = arguments[Self.earlyStop].map(String.init)
        settings["clip-norm"] = arguments[Self.clipNorm].map { "\($0)" }
        if arguments[Self.schedule] != "constant" || arguments[Self.warmup] > 0 { settings["epochs"] = "\(epochs)" }
        return settings
    }
}
