import Swiftlet

/// What a tool's commands know by name: the models `--model` accepts and the experiments
/// `reproduce` runs — the built-in ones, then those a program adds. A program of your own
/// starts the whole command line with its models in it:
///
///     import SwiftletCLI
///     swiftletTool(name: "my-tool", models: [
///         ModelZoo.Entry(name: "my-resnet", summary: "my ResNet", inputShape: [3, 32, 32]) { MyResNet() },
///     ]).main()
///
/// and `my-tool prune --model my-resnet --checkpoint …` does what `swiftlet prune` does.
public struct Catalog {
    public let models: [ModelZoo.Entry]
    public let experiments: [any Experiment]

    /// The built-in models and experiments, then `models` and `experiments`. Names must be unique.
    public init(models: [ModelZoo.Entry] = [], experiments: [any Experiment] = []) {
        self.models = ModelZoo.entries + models
        self.experiments = builtInExperiments + experiments
        precondition(Set(self.models.map(\.name)).count == self.models.count, "two models share a name")
        precondition(Set(self.experiments.map(\.id)).count == self.experiments.count, "two experiments share an id")
    }

    /// The model called `name`, or an error listing the known names.
    public func model(_ name: String) throws -> ModelZoo.Entry {
        guard let entry = models.first(where: { $0.name == name }) else {
            throw UsageError.invalidArgument("--model", value: name, expected: "one of \(models.map(\.name).joined(separator: ", "))")
        }
        return entry
    }

    /// `--model` (or another name) choosing among the catalog's models.
    func modelOption(_ name: String = "model", help: String = "Architecture (built-in, or registered by the program)") -> Option<String?> {
        Option.choice(name, models.map(\.name), help: help)
    }

    /// The model named by `--model`, required.
    func requiredModel(_ arguments: ParsedArguments, command: String) throws -> ModelZoo.Entry {
        guard let name = arguments[modelOption()] else { throw UsageError.missingArgument("--model", command: command) }
        return try model(name)
    }
}

/// The `swiftlet` command line, with `models` and `experiments` beside the built-in ones
/// (see `Catalog`); `name` is what help and errors call the program.
public func swiftletTool(name: String = "swiftlet", models: [ModelZoo.Entry] = [], experiments: [any Experiment] = []) -> CommandLineTool {
    let catalog = Catalog(models: models, experiments: experiments)
    return CommandLineTool(
        name: name,
        summary: "train, compress and evaluate models on MNIST and CIFAR-10",
        version: "0.1.0",
        commands: [ReproduceCommand(catalog: catalog), ReportCommand(catalog: catalog), TrainCommand(catalog: catalog),
                   PruneCommand(catalog: catalog), SensitivityCommand(catalog: catalog), QuantizeCommand(catalog: catalog),
                   DistillCommand(catalog: catalog), DecomposeCommand(catalog: catalog), EvaluateCommand(catalog: catalog),
                   CompressCommand(catalog: catalog), ExportCommand(catalog: catalog), GraphCommand(catalog: catalog), FetchCommand(), BenchCommand(catalog: catalog)])
}
