import Foundation
import Swiftlet

/// docs/reproduction.md: every experiment's recipe, results, references, plots and
/// corrections, gathered from the `results.jsonl` files `swiftlet reproduce` leaves in
/// `runs/<id>/`. Experiments without a run are listed as not run, never invented.
struct ReproductionReport {
    let experiments: [any Experiment]
    let runsFolder: URL
    /// The Markdown file; plots go into the folder beside it with the same base name.
    let output: URL
    /// How the runs were made (machine, threads, load), shown under the introduction.
    var note: String?

    var plotFolder: URL { output.deletingPathExtension() }

    /// Writes the report and its plots; returns how many experiments had results.
    @discardableResult
    func write() throws -> Int {
        var document = MarkdownDocument(title: "Reproducing the documents' experiments")
        document.paragraph("""
            Every experiment of the source documents (DESIGN.md's table), run with its default recipe by \
            `swiftlet reproduce <id>`. This page is generated from the runs' `results.jsonl` files, plots \
            included; to regenerate all of it:
            """)
        document.codeBlock("""
            swift run -c release swiftlet reproduce all     # writes runs/<id>/results.jsonl, report.md, checkpoints
            swift run -c release swiftlet report            # gathers runs/ into docs/reproduction.md and docs/reproduction/*.svg
            """, language: "sh")
        document.paragraph("""
            One experiment alone: `swiftlet reproduce <id>` and then `swiftlet report`. Data: MNIST is the \
            real MNIST, shipped in `Datasets/MNIST`. CIFAR-10 is whatever archive the fetch step accepted: \
            on the project's machines that is the local mirror's rebuild of CIFAR-10 from a JPEG copy \
            (quality 75), recognised by the SHA-256 of its members (Datasets/KnownDataset.swift), not the \
            canonical archive: its pixels differ slightly, so CIFAR-10 accuracies are close to, not equal \
            to, accuracies on the original files. PyTorch references were measured on the same files.
            """)
        if let note { document.paragraph("How these runs were made: \(note)") }

        var runs: [(experiment: Experiment, report: ExperimentReport?)] = []
        for experiment in experiments {
            let folder = runsFolder.appendingPathComponent(experiment.id)
            let hasRun = FileManager.default.fileExists(atPath: folder.appendingPathComponent(ExperimentReport.resultsFile).path)
            runs.append((experiment, hasRun ? try ExperimentReport.read(experiment, from: folder) : nil))
        }

        var overview = Table(headers: ["experiment", "stages", "first stage", "last stage", "best ratio", "time"])
        for (experiment, report) in runs {
            guard let report, let first = report.results.first, let last = report.results.last else {
                overview.append([experiment.id, "not run", "–", "–", "–", "–"])
                continue
            }
            let best = report.results.map(\.compressionRatio).max() ?? 1
            overview.append([experiment.id + report.validationLabel, "\(report.results.count)", "\(first.stage) \(HumanReadable.percent(first.accuracy))",
                             "\(last.stage) \(HumanReadable.percent(last.accuracy))",
                             HumanReadable.fixed(best, decimals: 1) + "×", HumanReadable.duration(report.seconds)])
        }
        document.heading("Overview")
        document.table(overview)
        let total = runs.compactMap(\.report).reduce(0) { $0 + $1.seconds }
        document.paragraph("Total time of the runs shown: \(HumanReadable.duration(total)).")

        for (experiment, report) in runs {
            document.heading(experiment.id)
            guard let report else {
                document.paragraph("\(experiment.summary)\n\nNot run yet: `swift run -c release swiftlet reproduce \(experiment.id)`.")
                continue
            }
            try report.appendSection(to: &document, headingLevel: 3, plotFolder: plotFolder,
                                     plotLink: plotFolder.lastPathComponent)
        }
        try document.write(to: output)
        return runs.filter { $0.report != nil }.count
    }
}
