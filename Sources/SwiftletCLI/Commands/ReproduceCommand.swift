import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet reproduce <id>`: runs one of the documents' experiments end to end.
struct ReproduceCommand: Command {
    let catalog: Catalog
    let name = "reproduce"
    let summary = "Run a source document's experiment end to end (reproduce --list shows them)"
    let discussion = "Defaults are each document's recipe; --epochs shortens training; --base FILE skips training the base model of an experiment that has one (auto-*, resnet20-cifar-compress) and reads it from FILE — e.g. its own earlier run's checkpoint. Writes every stage's checkpoint, results.jsonl and report.md (with SVG plots) to --out (default runs/<id>); `swiftlet report` gathers the runs into docs/reproduction.md."
    static let list = Option.flag("list", help: "List the experiments and exit")
    static let validation = Option<Int?>.integer(
        "validation", range: .images,
        help: "Hold out the last N training images and report accuracy on them instead of the test set (to choose a recipe without the test set)")
    static let base = Option<String?>.string(
        "base", placeholder: "FILE",
        help: "Read the experiment's base model (the one every later stage starts from) from this checkpoint instead of training it")
    static let experimentID = Positional("experiment-id", help: "An experiment id, or all", isOptional: true)

    var options: [any OptionDeclaration] {
        [Self.list, CommonOptions.epochs, Self.validation, Self.base, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
    }
    var positionals: [Positional] { [Self.experimentID] }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        if arguments[Self.list] {
            var table = Table(headers: ["id", "what"])
            for experiment in catalog.experiments { table.append([experiment.id, experiment.summary]) }
            return console.output.write(table.renderPlainText() + "\n")
        }
        guard let id = arguments[Self.experimentID] else {
            throw UsageError.missingArgument("experiment-id", command: "swiftlet reproduce")
        }
        let chosen = id == "all" ? catalog.experiments : catalog.experiments.filter { $0.id == id }
        guard !chosen.isEmpty else {
            throw UsageError.invalidArgument("experiment-id", value: id, expected: "one of \((catalog.experiments.map(\.id) + ["all"]).joined(separator: ", "))")
        }
        let base = try arguments[Self.base].map { path in
            // Checked before hours of work, and named: a stage that is skipped must be one the run can skip.
            guard chosen.count == 1, let stage = chosen[0].baseStage else {
                throw UsageError.invalidValue(option: "--base", value: path, expected: "one experiment that starts from a base model ("
                    + catalog.experiments.filter { $0.baseStage != nil }.map(\.id).joined(separator: ", ") + ")")
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw UsageError.invalidValue(option: "--base", value: path, expected: "a readable checkpoint for the stage \(stage)")
            }
            return URL(fileURLWithPath: path)
        }
        CommonOptions.applyThreads(arguments)
        let communicator = try CommonOptions.communicator(arguments)
        let started = Date()
        for experiment in chosen {
            let folder = id == "all" || arguments[CommonOptions.out] == nil
                ? URL(fileURLWithPath: arguments[CommonOptions.out] ?? "runs").appendingPathComponent(experiment.id)
                : URL(fileURLWithPath: arguments[CommonOptions.out]!)
            // Claimed before any work (by rank 0 alone with --distributed), and locked against a
            // second command writing there.
            let output = try DistributedRun(communicator: communicator, claiming: folder)
            defer { output.release() }
            let context = ExperimentContext(
                experiment: experiment.id, seed: UInt64(arguments[GlobalOptions.seed]), epochsOverride: arguments[CommonOptions.epochs],
                outputDirectory: folder, fetchOptions: CommonOptions.fetchOptions(arguments),
                validationImages: arguments[Self.validation], baseCheckpoint: base, console: console,
                json: arguments[GlobalOptions.json], communicator: communicator, catalog: catalog)
            let report = ExperimentReport(experiment: experiment, results: try experiment.run(context), tables: context.tables)
            guard context.isRoot else { continue }
            try report.write(to: folder)
            if !arguments[GlobalOptions.json] { console.output.write(report.terminalText) }
        }
        if chosen.count > 1, (communicator?.rank ?? 0) == 0 {
            console.diagnostics.write("\(chosen.count) experiments in \(HumanReadable.duration(Date().timeIntervalSince(started)))\n")
        }
        communicator?.finalize()
    }
}
