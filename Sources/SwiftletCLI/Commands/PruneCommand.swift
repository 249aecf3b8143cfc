import Foundation
import Swiftlet

/// `swiftlet prune`: magnitude-prunes a checkpoint, optionally retrains with the masks held.
struct PruneCommand: Command {
    let name = "prune"
    let summary = "Prune a checkpoint by weight magnitude, optionally retrain with masks kept; writes OUT/model.safetensors"
    static let method = Option.choice("method", ["mean-abs", "threshold", "sparsity", "global-sparsity"], default: "mean-abs",
                                      help: "mean-abs: θ = mean|w| per tensor; threshold: fixed θ; sparsity: fraction per tensor; global-sparsity: one θ for all")
    static let threshold = Option.number("threshold", default: 0.1, range: .nonNegative, help: "θ for --method threshold")
    static let sparsity = Option.number("sparsity", default: 0.5, range: .within(0...0.999), help: "Fraction to remove for the sparsity methods")
    static let retrainEpochs = Option.integer("retrain-epochs", default: 0, range: .nonNegative, help: "Epochs of retraining with the masks kept")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Retraining learning rate (SGD, momentum 0.9)")
    static let schedule = Option.choice("lr-schedule", ["constant", "cosine"], default: "constant",
                                        help: "Retraining learning rate per epoch: constant, or cosine annealing to 0")

    var options: [any OptionDeclaration] {
        [CommonOptions.model, CommonOptions.checkpoint, Self.method, Self.threshold, Self.sparsity, Self.retrainEpochs,
         Self.learningRate, Self.schedule, CommonOptions.dataset, CommonOptions.out] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        let (entry, model) = try CommonOptions.loadModel(arguments, command: "swiftlet prune")
        let folder = CommonOptions.outputDirectory(arguments, defaultName: "prune-\(entry.name)")
        let context = CommonOptions.context(arguments, experiment: "prune", folder: folder, console: console)
        let data = try CommonOptions.imageData(arguments, for: entry)
        try context.finishStage("loaded", model: model, data: data, save: false)

        let rule: MagnitudeThreshold
        switch arguments[Self.method] {
        case "threshold": rule = .fixed(Float(arguments[Self.threshold]))
        case "sparsity": rule = .sparsity(Float(arguments[Self.sparsity]))
        case "global-sparsity": rule = .globalSparsity(Float(arguments[Self.sparsity]))
        default: rule = .meanAbsolute
        }
        let masks = try pruneByMagnitude(model, rule)
        let retrainEpochs = arguments[Self.retrainEpochs]
        try context.finishStage("pruned", model: model, data: data, save: retrainEpochs == 0, as: "model")
        if retrainEpochs > 0 {
            GlobalRandom.seed(context.seed)
            let optimizer = SGD(model.parameters, lr: Float(arguments[Self.learningRate]), momentum: 0.9)
            try masks.apply(to: optimizer)
            let schedule = arguments[Self.schedule] == "cosine"
                ? LearningRateSchedule(optimizer, .cosine(tMax: retrainEpochs, minimum: 0)) : nil
            try context.train(model, optimizer: optimizer, data: data, epochs: retrainEpochs, stage: "retrained", schedule: schedule)
            try context.finishStage("retrained", model: model, data: data, as: "model")
        }
        if !context.json {
            var table = Table(headers: StageResult.tableHeaders)
            for result in context.results { table.append(result.tableRow) }
            console.output.write(table.renderPlainText() + "\nwrote \(folder.path)/model.safetensors\n")
        }
    }
}
