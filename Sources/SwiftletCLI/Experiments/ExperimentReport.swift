import Foundation
import Swiftlet

/// The results of one experiment run, as a terminal table and a Markdown report.
struct ExperimentReport {
    let experiment: Experiment
    let results: [StageResult]
    let seconds: Double

    var table: Table { StageResult.table(results) }

    var terminalText: String {
        "\n\(experiment.id): \(experiment.summary)\n" + table.renderPlainText() + "\nTotal time \(HumanReadable.duration(seconds))\n"
    }

    func write(to url: URL) throws {
        var document = MarkdownDocument(title: experiment.id)
        document.paragraph(experiment.summary)
        document.table(table)
        if !experiment.corrections.isEmpty {
            document.heading("Corrections to the source document")
            document.bulletList(experiment.corrections)
        }
        document.paragraph("""
            Accuracy is top-1 on the test set. Sparsity is the share of zero weights in Linear and \
            Conv2d weight tensors. "Stored" counts each tensor in the smallest of dense fp32, bitmap + \
            values, or CSR (index overhead included); FLOPs per image count only non-zero weights. \
            Total time \(HumanReadable.duration(seconds)).
            """)
        try document.write(to: url)
    }
}
