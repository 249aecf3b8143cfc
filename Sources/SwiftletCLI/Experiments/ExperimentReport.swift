import Foundation
import Swiftlet

/// The results of one experiment run: a terminal table, a Markdown section with plots (for
/// the run's `report.md` and for docs/reproduction.md), and `results.jsonl`, which
/// `swiftlet report` reads back.
struct ExperimentReport {
    let experiment: Experiment
    let results: [StageResult]

    /// Wall time of the run: the sum of its stages (each includes its own evaluation).
    var seconds: Double { results.reduce(0) { $0 + $1.seconds } }

    var table: Table {
        var table = Table(headers: StageResult.tableHeaders)
        for result in results { table.append(result.tableRow) }
        return table
    }

    var terminalText: String {
        "\n\(experiment.id): \(experiment.summary)\n" + table.renderPlainText() + "\nTotal time \(HumanReadable.duration(seconds))\n"
    }

    /// Our accuracy beside each reference figure for the same stage.
    var referenceTable: Table? {
        guard !experiment.references.isEmpty else { return nil }
        var table = Table(headers: ["stage", "ours", "reference", "difference", "reference measured by"])
        for reference in experiment.references {
            let ours = results.first { $0.stage == reference.stage }?.accuracy
            table.append([reference.stage, ours.map { HumanReadable.percent($0) } ?? "not run",
                          HumanReadable.percent(reference.accuracy),
                          ours.map { String(format: "%+.2f pp", $0 - reference.accuracy) } ?? "–", reference.source])
        }
        return table
    }

    /// Appends the experiment's section to `document`, writing its plots into `plotFolder`
    /// and linking them as `plotLink/<file>` (relative to the document).
    func appendSection(to document: inout MarkdownDocument, headingLevel: Int, plotFolder: URL, plotLink: String) throws {
        document.paragraph(experiment.summary)
        document.codeBlock("swift run -c release swiftlet reproduce \(experiment.id)", language: "sh")
        document.table(table)
        if let referenceTable {
            document.heading("Beside the references", level: headingLevel)
            document.table(referenceTable)
        }
        let plots = ExperimentPlots(experimentID: experiment.id, results: results).all
        if !plots.isEmpty {
            document.heading("Plots", level: headingLevel)
            for (file, plot) in plots {
                try plot.write(to: plotFolder.appendingPathComponent(file))
                document.image("\(plotLink)/\(file)", alt: plot.title)
            }
        }
        if !experiment.corrections.isEmpty {
            document.heading("Corrections to the source document", level: headingLevel)
            document.bulletList(experiment.corrections)
        }
        document.paragraph("""
            Accuracy is top-1 on the test set. Sparsity is the share of zero weights in Linear and \
            Conv2d weight tensors. "Stored" is the stage's stored form: for float stages the smallest \
            of dense fp32, bitmap + values, or CSR per tensor (index overhead included); for quantized \
            or encoded stages the bytes of codes, codebooks, scales and indices. "ratio" is dense fp32 \
            over stored. FLOPs per image count only non-zero weights. "infer img/s" is test-set \
            inference throughput measured during the stage's evaluation (batch 1000). \
            Total time \(HumanReadable.duration(seconds)).
            """)
    }

    /// Writes `report.md` (with its plots) and `results.jsonl` into `folder`.
    func write(to folder: URL) throws {
        var document = MarkdownDocument(title: experiment.id)
        try appendSection(to: &document, headingLevel: 2, plotFolder: folder, plotLink: ".")
        try document.write(to: folder.appendingPathComponent("report.md"))
        let lines = results.map { $0.json.jsonText + "\n" }.joined()
        try AtomicFile.write(lines, to: folder.appendingPathComponent(Self.resultsFile))
    }

    static let resultsFile = "results.jsonl"

    /// A run's results as `write(to:)` left them in `folder`.
    static func readResults(in folder: URL) throws -> [StageResult] {
        let url = folder.appendingPathComponent(resultsFile)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError.unreadable(url.path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").enumerated().map { index, line in
            do { return try decoder.decode(StageResult.self, from: Data(line.utf8)) } catch {
                throw ReportError.malformedLine(url.path, line: index + 1, reason: "\(error)")
            }
        }
    }
}

/// A results file that cannot be read back; the message names the file and line.
enum ReportError: Error, CustomStringConvertible {
    case unreadable(String, reason: String)
    case malformedLine(String, line: Int, reason: String)

    var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .malformedLine(path, line, reason):
            return "\(path), line \(line): not a stage result with DESIGN.md's keys (\(reason))"
        }
    }
}
