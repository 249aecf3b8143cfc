import XCTest
@testable import SwiftletCLI

final class TableTests: XCTestCase {
    private func sampleTable() -> Table {
        var table = Table(headers: ["stage", "accuracy", "size", "note"])
        table.append(["fp32", "99.12%", "87.2 kB", "baseline"])
        table.append(["pruned", "98.7%", "9.1 kB", "θ = mean|w|"])
        table.append(["retrained", "99.05%", "-", ""])
        return table
    }

    func testAutomaticAlignmentPutsNumbersRight() {
        XCTAssertEqual(sampleTable().alignments, [.left, .right, .left, .left])
        var numeric = Table(headers: ["n"])
        numeric.append(["-3"])
        numeric.append(["5,210"])
        numeric.append([""])
        XCTAssertEqual(numeric.alignments, [.right])
        XCTAssertEqual(Table(columns: [Table.Column("x", alignment: .right)]).alignments, [.right])
    }

    func testPlainTextBox() {
        XCTAssertEqual(sampleTable().renderPlainText(), """
            +-----------+----------+---------+-------------+
            | stage     | accuracy | size    | note        |
            +-----------+----------+---------+-------------+
            | fp32      |   99.12% | 87.2 kB | baseline    |
            | pruned    |    98.7% | 9.1 kB  | θ = mean|w| |
            | retrained |   99.05% | -       |             |
            +-----------+----------+---------+-------------+

            """)
    }

    func testMarkdown() {
        XCTAssertEqual(sampleTable().renderMarkdown(), """
            | stage | accuracy | size | note |
            |---|---:|---|---|
            | fp32 | 99.12% | 87.2 kB | baseline |
            | pruned | 98.7% | 9.1 kB | θ = mean\\|w\\| |
            | retrained | 99.05% | - |  |

            """)
    }
}
