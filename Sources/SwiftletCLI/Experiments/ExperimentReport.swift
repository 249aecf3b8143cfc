import Foundation
import Swiftlet

/// The results of one experiment run: a terminal table, a Markdown section with plots (for
/// the run's `report.md` and for docs/reproduction.md), and `results.jsonl`, which
/// `swiftlet report` reads back.
struct ExperimentReport {
    let experiment: Experiment
    let results: [StageResult]
    /// Further tables the experiment added (`ExperimentContext.addTable`), e.g. per layer.
    var tables: [(title: String, table: Table)] = []

    /// Wall time of the run: the sum of its stages (each includes its own evaluation).
    var seconds: Double { results.reduce(0) { $0 + $1.seconds } }

    var table: Table { StageResult.table(results) }

    /// Set for a `--validation` run: how many held-out training images every stage was measured on.
    var validationImages: Int? { results.first?.validationImages }

    /// " (validation split)" after a label of a `--validation` run's figures; empty otherwise.
    var validationLabel: String { validationImages == nil ? "" : " (validation split)" }

    /// What the accuracies were measured on, in words.
    var evaluationSet: String {
        guard let held = validationImages else { return "the test set" }
        return "a validation split: the last \(held) training images, held out of training (not the test set)"
    }

    var terminalText: String {
        "\n\(experiment.id): \(experiment.summary)\n"
            + (validationImages == nil ? "" : "Accuracy on \(evaluationSet)\n") + table.renderPlainText()
            + tables.map { "\n\($0.title)\n" + $0.table.renderPlainText() }.joined()
            + "\nTotal time \(HumanReadable.duration(seconds))\n"
    }

    /// Our accuracy beside each reference figure for the same stage.
    var referenceTable: Table? {
        guard !experiment.references.isEmpty else { return nil }
        var table = Table(headers: ["stage", "ours" + validationLabel, "reference", "difference", "reference measured by"])
        for reference in experiment.references {
            let ours = results.first { $0.stage == reference.stage }?.accuracy
            let oursCell = ours.map { accuracy in
                guard let errors = reference.errors else { return HumanReadable.percent(accuracy) }
                // The same count on our side: of the validation images in a --validation run.
                let images = validationImages ?? errors.of
                return "\(HumanReadable.percent(accuracy)) (\(Int((100 - accuracy) * Double(images) / 100 + 0.5)) errors)"
            }
            table.append([reference.stage, oursCell ?? "not run",
                          HumanReadable.percent(reference.accuracy) + (reference.errors.map { " (\($0.count) errors)" } ?? ""),
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
        for (title, extra) in tables {
            document.heading(title, level: headingLevel)
            document.table(extra)
        }
        if let referenceTable {
            document.heading("Beside the references", level: headingLevel)
            document.table(referenceTable)
            if !experiment.setupDifferences.isEmpty {
                document.paragraph("What differs from the references' setup:")
                document.bulletList(experiment.setupDifferences)
            }
        }
        let plots = ExperimentPlots(experiment: experiment, results: results).all
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
            Accuracy is top-1 on \(evaluationSet). Sparsity is the share of zero weights in Linear and \
            Conv2d weight tensors. "Stored" is the stage's stored form: for float stages the smallest \
            of dense fp32, bitmap + values, or CSR per tensor (index overhead included); for quantized \
            or encoded stages the bytes of codes, codebooks, scales and indices. "ratio" is dense fp32 \
            over stored. FLOPs per image count only non-zero weights. "infer img/s" is test-set \
            inference throughput measured during the stage's evaluation (batch \(ImageData.evaluationBatchSize)). \
            Total time \(HumanReadable.duration(seconds)).
            """)
    }

    /// Writes `report.md` (with its plots), `results.jsonl` and, if the experiment added
    /// tables, `tables.json` into `folder`: what `read(_:from:)` needs to write the report again.
    func write(to folder: URL) throws {
        var document = MarkdownDocument(title: experiment.id)
        try appendSection(to: &document, headingLevel: 2, plotFolder: folder, plotLink: ".")
        try document.write(to: folder.appendingPathComponent("report.md"))
        let lines = results.map { $0.json.jsonText + "\n" }.joined()
        try AtomicFile.write(lines, to: folder.appendingPathComponent(Self.resultsFile))
        if !tables.isEmpty {
            let saved = tables.map { SavedTable(title: $0.title, headers: $0.table.columns.map(\.title), rows: $0.table.rows) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(saved), to: folder.appendingPathComponent(Self.tablesFile))
        }
    }

    static let resultsFile = "results.jsonl"
    static let tablesFile = "tables.json"

    /// The report of `experiment`'s run as `write(to:)` left it in `folder`.
    static func read(_ experiment: Experiment, from folder: URL) throws -> ExperimentReport {
        let resultsURL = folder.appendingPathComponent(resultsFile)
        let decoder = JSONDecoder()
        let results = try contents(of: resultsURL).split(separator: "\n").enumerated().map { index, line in
            do { return try decoder.decode(StageResult.self, from: Data(line.utf8)) } catch let error as DecodingError {
                throw ReportError.malformed(resultsURL.path, line: index + 1, reason: "not a stage result with DESIGN.md's keys (\(error.reason))")
            }
        }
        var report = ExperimentReport(experiment: experiment, results: results)
        let tablesURL = folder.appendingPathComponent(tablesFile)
        if FileManager.default.fileExists(atPath: tablesURL.path) {
            let saved: [SavedTable]
            do { saved = try decoder.decode([SavedTable].self, from: Data(try contents(of: tablesURL).utf8)) } catch let error as DecodingError {
                throw ReportError.malformed(tablesURL.path, line: nil, reason: "not a list of tables (\(error.reason))")
            }
            report.tables = try saved.map { ($0.title, try $0.table(in: tablesURL.path)) }
        }
        return report
    }

    private static func contents(of url: URL) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError.unreadable(url.path, reason: error.localizedDescription)
        }
    }
}

/// An extra report table as `tables.json` holds it.
private struct SavedTable: Codable {
    let title: String
    let headers: [String]
    let rows: [[String]]

    func table(in path: String) throws -> Table {
        var table = Table(headers: headers)
        for row in rows {
            guard row.count == headers.count else {
                throw ReportError.malformed(path, line: nil, reason: "table \"\(title)\" has a row of \(row.count) cells for \(headers.count) columns")
            }
            table.append(row)
        }
        return table
    }
}

/// A run's files that cannot be read back; the message names the file (and line).
enum ReportError: Error, CustomStringConvertible {
    case unreadable(String, reason: String)
    case malformed(String, line: Int?, reason: String)

    var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .malformed(path, line, reason): return "\(path)\(line.map { ", line \($0)" } ?? ""): \(reason)"
        }
    }
}
