import Foundation
import XCTest
import SwiftletCLI

final class MarkdownDocumentTests: XCTestCase {
    func testBlocksAreSeparatedByBlankLines() {
        var table = Table(headers: ["stage", "accuracy"])
        table.append(["fp32", "99.12"])
        var document = MarkdownDocument(title: "seed000-mnist-prune")
        document.paragraph("Pruned with θ = mean |w| per layer.")
        document.heading("Results")
        document.table(table)
        document.image("plots/accuracy vs sparsity.svg", alt: "accuracy [%]")
        document.bulletList(["one", "two"])
        document.heading("Reproduce", level: 3)
        document.codeBlock("swiftlet reproduce seed000-mnist-prune\n", language: "sh")
        XCTAssertEqual(document.text, """
            # seed000-mnist-prune

            Pruned with θ = mean |w| per layer.

            ## Results

            | stage | accuracy |
            |---|---:|
            | fp32 | 99.12 |

            ![accuracy [%\\]](plots/accuracy%20vs%20sparsity.svg)

            - one
            - two

            ### Reproduce

            ```sh
            swiftlet reproduce seed000-mnist-prune
            ```

            """)
    }

    func testWritesAtomicallyCreatingFolders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("MarkdownDocumentTests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let url = root.appendingPathComponent("reports/run/README.md")
        let document = MarkdownDocument(title: "Report")
        try document.write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "# Report\n")
    }
}
