import Foundation

/// `swiftlet report`: gathers the runs of `swiftlet reproduce` into docs/reproduction.md.
struct ReportCommand: Command {
    let catalog: Catalog
    let name = "report"
    let summary = "Write docs/reproduction.md and its SVG plots from the results in runs/"
    let discussion = "Reads RUNS/<id>/results.jsonl for every experiment (reproduce --list); experiments without a run are listed as not run. Plots go into the folder beside OUT named like it (docs/reproduction/)."
    static let runs = Option.string("runs", placeholder: "DIR", default: "runs", help: "Folder holding one results folder per experiment")
    static let out = Option.string("out", placeholder: "FILE", default: "docs/reproduction.md", help: "The Markdown file to write")
    static let note = Option<String?>.string("note", placeholder: "TEXT", help: "A paragraph on how the runs were made (machine, threads, load)")

    var options: [any OptionDeclaration] { [Self.runs, Self.out, Self.note] }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let report = ReproductionReport(experiments: catalog.experiments, runsFolder: URL(fileURLWithPath: arguments[Self.runs]),
                                        output: URL(fileURLWithPath: arguments[Self.out]), note: arguments[Self.note])
        let found = try report.write()
        console.output.write("wrote \(report.output.path) (\(found) of \(catalog.experiments.count) experiments have results)\n")
    }
}
