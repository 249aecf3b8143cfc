import Foundation
import Swiftlet
import SwiftletFiles
import SwiftletBenchmarks
import SwiftletKernels

/// `swiftlet prune`: prunes a checkpoint — unstructured (one shot, gradually or in rounds)
/// or structured (whole filters or neurons removed physically) — and optionally retrains
/// with the masks held; writes OUT/model.safetensors.
struct PruneCommand: Command {
    let catalog: Catalog
    let name = "prune"
    let summary = "Prune a checkpoint (weights, gradually or at once, or whole filters/neurons), optionally retrain; writes OUT/model.safetensors"
    let discussion = """
        --schedule agp prunes at the start of epochs 1, 2, …, steps + 1 along Zhu & Gupta's cubic \
        s_t = S·(1 − (1 − t/steps)³) (t = 0 … steps, so the first epoch trains at s = 0), training one epoch \
        after each, then retrains --retrain-epochs more; with --frequency N it prunes every N optimizer steps \
        instead (Zhu & Gupta's Δt), along the same cubic over the first --steps epochs, then retrains \
        --retrain-epochs more. --schedule rounds runs --steps prune–retrain rounds \
        (Han et al.): round k prunes to 1 − (1 − S)^(k/steps), removing the same share of the surviving weights \
        each round, then trains --retrain-epochs epochs. Both need --method sparsity or global-sparsity. \
        --method filters / neurons remove that fraction of every Conv2d's filters / every hidden Linear's \
        neurons (lowest --norm first) physically: the checkpoint holds the smaller dense model, which \
        evaluate and prune load back; the command times inference before and after in the same run.
        """
    static let method = Option.choice("method", ["mean-abs", "threshold", "sparsity", "global-sparsity", "filters", "neurons"], default: "mean-abs",
                                      help: "mean-abs: θ = mean|w| per tensor; threshold: fixed θ; sparsity: fraction per tensor; global-sparsity: one ranking for all; filters/neurons: structured removal")
    static let threshold = Option.number("threshold", default: 0.1, range: .nonNegative, help: "θ for --method threshold")
    static let sparsity = Option.number("sparsity", default: 0.5, range: .within(0...0.999),
                                        help: "Fraction to remove (of weights, or of each layer's filters/neurons)")
    static let criterion = Option.choice("criterion", ["magnitude", "random", "taylor"], default: "magnitude",
                                         help: "Ranking for the sparsity methods: |w|, random (seeded by --seed), or Taylor |w·∂L/∂w| over 10 training batches")
    static let norm = Option.choice("norm", ["l1", "l2"], default: "l1", help: "Unit ranking for filters/neurons: L1 or L2 norm of its weights")
    static let pruningSchedule = Option.choice("schedule", ["one-shot", "agp", "rounds"], default: "one-shot",
                                               help: "one-shot, agp (automated gradual pruning) or rounds (iterative prune–retrain)")
    static let steps = Option.integer("steps", default: 5, range: .epochs, help: "Pruning steps of agp, or rounds of rounds")
    static let frequency = Option<Int?>.integer("frequency", range: .images,
                                                help: "agp: prune every N optimizer steps over the first --steps epochs, instead of once per epoch")
    static let retrainEpochs = Option.integer("retrain-epochs", default: 0, range: .epochsOrNone, help: "Epochs of retraining with the masks kept")
    static let timingRounds = Option.integer("timing-rounds", default: 5, range: .within(0...1000),
                                             help: "filters/neurons: interleaved rounds timing inference before and after (0: skip)")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Retraining learning rate (SGD, momentum 0.9)")
    static let learningRateSchedule = Option.choice("lr-schedule", ["constant", "cosine"], default: "constant",
                                                    help: "Learning rate per epoch of all training epochs: constant, or cosine annealing to 0")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, Self.method, Self.threshold, Self.sparsity, Self.criterion, Self.norm,
         Self.pruningSchedule, Self.steps, Self.frequency, Self.retrainEpochs, Self.timingRounds, Self.learningRate, Self.learningRateSchedule,
         CommonOptions.dataset, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        let method = arguments[Self.method], schedule = arguments[Self.pruningSchedule]
        if schedule != "one-shot", !["sparsity", "global-sparsity"].contains(method) {
            throw UsageError.optionConflict("--schedule \(schedule)", requirement: "needs --method sparsity or global-sparsity", conflicting: "--method \(method)")
        }
        if arguments[Self.criterion] != "magnitude", !["sparsity", "global-sparsity"].contains(method) {
            throw UsageError.optionConflict("--criterion \(arguments[Self.criterion])", requirement: "ranks weights for --method sparsity or global-sparsity",
                                            conflicting: "--method \(method)")
        }
        if let frequency = arguments[Self.frequency], schedule != "agp" {
            throw UsageError.optionConflict("--frequency \(frequency)", requirement: "sets how often --schedule agp prunes", conflicting: "--schedule \(schedule)")
        }
        if schedule == "rounds", arguments[Self.retrainEpochs] == 0 {
            throw UsageError.optionConflict("--schedule rounds", requirement: "needs --retrain-epochs of at least 1 (the epochs of each round)", conflicting: "--retrain-epochs 0")
        }
        let (entry, model) = try CommonOptions.loadModel(arguments, catalog: catalog, command: "swiftlet prune")
        let structured = ["filters", "neurons"].contains(method)
        if structured { try checkUnitsToRemove(model, entry: entry, arguments: arguments) }
        let output = try DistributedRun(arguments, defaultName: "prune-\(entry.name)", inputs: [arguments[CommonOptions.checkpoint]])
        defer { output.release() }
        let folder = output.url
        let context = CommonOptions.context(arguments, experiment: "prune", model: entry, run: output, console: console)
        let data = try CommonOptions.imageData(arguments, for: entry, shard: try context.shard)
        try context.finishStage("loaded", model: model, data: data, save: false)
        GlobalRandom.seed(context.seed)

        switch schedule {
        case _ where structured:
            try pruneStructured(model, entry: entry, arguments: arguments, context: context, data: data)
        case "one-shot":
            try pruneOnce(model, arguments: arguments, data: data)
            try finishPruned(model, arguments: arguments, context: context, data: data)
        default:
            try pruneGradually(model, arguments: arguments, context: context, data: data)
        }
        if !context.json {
            context.console.output.write(StageResult.table(context.results).renderPlainText() + "\nwrote \(folder.path)/model.safetensors\n")
        }
        output.finish()
    }

    private func fraction(_ arguments: ParsedArguments) -> Float { arguments[Self.sparsity] }

    private func target(_ arguments: ParsedArguments) -> (Float) -> SparsityTarget {
        let global = arguments[Self.method] == "global-sparsity"
        return { global ? .global($0) : .uniform($0) }
    }

    private func criterion(_ arguments: ParsedArguments, data: ImageData) -> PruningCriterion {
        switch arguments[Self.criterion] {
        case "random": return .random(seed: UInt64(arguments[GlobalOptions.seed]))
        case "taylor": return .taylor(data.sampleBatches(10))
        default: return .magnitude
        }
    }

    /// Zeroes the weights the method removes; retraining holds every zero (`holdZeros`).
    private func pruneOnce(_ model: Module, arguments: ParsedArguments, data: ImageData) throws {
        switch arguments[Self.method] {
        case "threshold": _ = try pruneByMagnitude(model, .fixed(arguments[Self.threshold]))
        case "mean-abs": _ = try pruneByMagnitude(model, .meanAbsolute)
        default: _ = try prune(model, by: criterion(arguments, data: data), target(arguments)(fraction(arguments)))
        }
    }

    /// SGD with momentum 0.9 at --lr, and the --lr-schedule over `epochs`.
    private func retrainingOptimizer(_ model: Module, epochs: Int, arguments: ParsedArguments) -> (Optimizer, LearningRateSchedule?) {
        let optimizer = SGD(model.parameters, lr: arguments[Self.learningRate], momentum: 0.9)
        let schedule = arguments[Self.learningRateSchedule] == "cosine"
            ? LearningRateSchedule(optimizer, .cosine(tMax: epochs, minimum: 0)) : nil
        return (optimizer, schedule)
    }

    /// The `pruned` stage, then the `retrained` one if asked, with every zero weight held at
    /// zero (those of the loaded checkpoint too); the last is saved as `model`.
    private func finishPruned(_ model: Module, arguments: ParsedArguments, context: ExperimentContext,
                              data: ImageData) throws {
        let retrainEpochs = arguments[Self.retrainEpochs]
        try context.finishStage("pruned", model: model, data: data, save: retrainEpochs == 0, as: "model")
        guard retrainEpochs > 0 else { return }
        let (optimizer, schedule) = retrainingOptimizer(model, epochs: retrainEpochs, arguments: arguments)
        try optimizer.holdZeros(of: model)
        try context.train(model, optimizer: optimizer, data: data, epochs: retrainEpochs, stage: "retrained", schedule: schedule)
        try context.finishStage("retrained", model: model, data: data, as: "model")
    }

    private func pruneGradually(_ model: Module, arguments: ParsedArguments, context: ExperimentContext, data: ImageData) throws {
        let steps = arguments[Self.steps], retrainEpochs = arguments[Self.retrainEpochs], final = fraction(arguments)
        let schedule: PruningSchedule, epochs: Int, clock: TrainingClock
        switch (arguments[Self.pruningSchedule], arguments[Self.frequency]) {
        case ("agp", let frequency?):
            schedule = try GradualPruningSchedule(finalSparsity: final, every: frequency, overEpochs: steps, of: data)
            (epochs, clock) = (steps + retrainEpochs, .step)
        case ("agp", nil):
            schedule = try GradualPruningSchedule(finalSparsity: final, intervals: steps)
            (epochs, clock) = (steps + 1 + retrainEpochs, .epoch)
        default:
            let sparsities = (1...steps).map { round in 1 - pow(1 - final, Float(round) / Float(steps)) }
            schedule = try PruningRounds(sparsities: sparsities, stepsPerRound: retrainEpochs)
            (epochs, clock) = (steps * retrainEpochs, .epoch)
        }
        let (optimizer, learningRates) = retrainingOptimizer(model, epochs: epochs, arguments: arguments)
        try context.pruneGradually(model, optimizer: optimizer, data: data, schedule: schedule, clock: clock, epochs: epochs,
                                   target: target(arguments), criterion: criterion(arguments, data: data), label: "epoch",
                                   finalStage: "retrained", checkpointName: "model", learningRates: learningRates)
    }

    /// `--method filters` removes the fraction from every dependency group of channels that
    /// convolutions produce, `neurons` from every group that linear layers produce (the
    /// output layer's group reaches the model's output and is never pruned).
    private func unitGroups(_ arguments: ParsedArguments) -> (ChannelDependencies.Group) -> Bool {
        let op = arguments[Self.method] == "filters" ? "conv2d" : "linear"
        return { $0.isPrunable && $0.producerOps.contains(op) }
    }

    private func checkUnitsToRemove(_ model: Module, entry: ModelZoo.Entry, arguments: ParsedArguments) throws {
        guard try model.channelDependencies(inputShape: entry.inputShape).groups.contains(where: unitGroups(arguments)) else {
            throw UsageError.nothingToRemove(model: entry.name, units: arguments[Self.method] == "filters" ? "convolution filters" : "hidden neurons")
        }
    }

    private func pruneStructured(_ model: Module, entry: ModelZoo.Entry, arguments: ParsedArguments,
                                 context: ExperimentContext, data: ImageData) throws {
        let original = entry.make()
        try original.loadPrunedStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor) }))
        let norm: UnitImportance = arguments[Self.norm] == "l2" ? .l2Norm : .l1Norm
        let pruning = try model.pruneChannels(inputShape: entry.inputShape, fraction: fraction(arguments), by: norm, select: unitGroups(arguments))
        let rounds = arguments[Self.timingRounds]
        let seconds = rounds > 0 ? try compareInferenceTimes([original, model], inputShape: entry.inputShape, rounds: rounds) : nil
        reportStructured(parameters: (original.parameterCount, model.parameterCount), macs: (pruning.macsBefore, pruning.macsAfter),
                         seconds: seconds, rounds: rounds, entry: entry, context: context)
        try finishPruned(model, arguments: arguments, context: context, data: data)
    }

    private func reportStructured(parameters: (before: Int, after: Int), macs: (before: Int, after: Int), seconds: [Double]?, rounds: Int,
                                  entry: ModelZoo.Entry, context: ExperimentContext) {
        let (before, after) = parameters
        let threads = Parallel.threads
        if context.json {
            let writer = JSONLinesWriter(sink: context.console.output)
            for (index, variant) in ["original", "pruned"].enumerated() {
                var line: JSONObject = ["bench": "infer", "model": .string(entry.name), "variant": .string(variant),
                                        "params": .integer(index == 0 ? before : after), "macs": .integer(index == 0 ? macs.before : macs.after)]
                if let seconds {
                    line["threads"] = .integer(threads)
                    line["batch"] = 64
                    line["img_per_s"] = .integer(Int((1 / seconds[index]).rounded()))
                }
                writer.write(line)
            }
        } else {
            var text = "parameters: \(HumanReadable.count(before)) → \(HumanReadable.count(after)) "
                + "(\(HumanReadable.percent(100 * Double(after) / Double(before)))), MACs per image: \(HumanReadable.count(macs.before)) → "
                + "\(HumanReadable.count(macs.after)) (\(HumanReadable.percent(100 * Double(macs.after) / Double(max(macs.before, 1)))))\n"
            if let seconds {
                text += "inference, batch 64, \(threads) thread(s), best of \(rounds) interleaved rounds: "
                    + String(format: "%.1f µs/img → %.1f µs/img, %.2f× faster\n", seconds[0] * 1e6, seconds[1] * 1e6, seconds[0] / seconds[1])
            }
            context.console.output.write(text)
        }
    }
}
