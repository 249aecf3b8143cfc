import Foundation
import Swiftlet

/// `swiftlet train`: trains a built-in model and writes its checkpoint.
struct TrainCommand: Command {
    let catalog: Catalog
    let name = "train"
    let summary = "Train a built-in model on mnist, cifar10 or an IDX folder; writes OUT/model.safetensors"
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Learning rate")
    static let momentum = Option.number("momentum", default: 0.9, range: .nonNegative, help: "SGD momentum")
    static let batchSize = Option.integer("batch-size", default: 64, range: .images, help: "Images per batch")
    static let optimizer = Option.choice("optimizer", ["sgd", "adam"], default: "sgd", help: "Optimizer")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.dataset, CommonOptions.epochs, Self.learningRate, Self.momentum, Self.batchSize,
         Self.optimizer, CommonOptions.out] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let entry = try catalog.requiredModel(arguments, command: "swiftlet train")
        CommonOptions.applyThreads(arguments)
        let folder = CommonOptions.outputDirectory(arguments, defaultName: "train-\(entry.name)")
        let context = CommonOptions.context(arguments, experiment: "train", model: entry, folder: folder, console: console,
                                            epochsOverride: arguments[CommonOptions.epochs])
        let data = try CommonOptions.imageData(arguments, for: entry, batchSize: arguments[Self.batchSize])
        GlobalRandom.seed(context.seed)
        let model = entry.make()
        let lr = arguments[Self.learningRate]
        let optimizer: Optimizer = arguments[Self.optimizer] == "adam"
            ? Adam(model.parameters, lr: lr)
            : SGD(model.parameters, lr: lr, momentum: arguments[Self.momentum])
        try context.train(model, optimizer: optimizer, data: data, epochs: context.epochs(default: 10), stage: "trained")
        let result = try context.finishStage("trained", model: model, data: data, as: "model")
        try optimizer.saveState(to: folder.appendingPathComponent("optimizer.safetensors"))
        if !context.json {
            console.output.write("\(entry.name): test accuracy \(HumanReadable.percent(result.accuracy)); wrote \(folder.path)/model.safetensors\n")
        }
    }
}
