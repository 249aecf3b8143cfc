import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet reproduce <id>`: runs one of the documents' experiments end to end.
struct ReproduceCommand: Command {
    let catalog: Catalog
    let name = "reproduce"
    let summary = "Run a source document's experiment end to end (reproduce --list shows them)"
    let discussion = "Defaults are each document's recipe; --epochs shortens training. Writes every stage's checkpoint, results.jsonl and report.md (with SVG plots) to --out (default runs/<id>); `swiftlet report` gathers the runs into docs/reproduction.md."
    static let list = Option.flag("list", help: "List the experiments and exit")
    static let validation = Option<Int?>.integer(
        "validation", range: .images,
        help: "Hold out the last N training images and report accuracy on them instead of the test set (to choose a recipe without the test set)")
    static let experimentID = Positional("experiment-id", help: "An experiment id, or all", isOptional: true)

    var options: [any OptionDeclaration] {
        [Self.list, CommonOptions.epochs, Self.validation, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
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
                validationImages: arguments[Self.validation], console: console,
                json: arguments[GlobalOptions.json], communicator: communicator)
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
