/// Rows of text cells under column headers, rendered as a plain-text box for the terminal
/// or as a Markdown table for reports. Numbers align right, text aligns left.
public struct Table {
    public enum Alignment: Equatable {
        case left
        case right
        /// Right when every non-empty cell looks numeric (`99.12`, `-3`, `1.2 MB`, `98.71%`, `5,210`).
        case automatic
    }

    public struct Column {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, alignment: Alignment = .automatic) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Columns with automatic alignment.
    public init(headers: [String]) {
        self.init(columns: headers.map { Column($0) })
    }

    /// Appends a row; it must have one cell per column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// The resolved alignment of each column.
    public var alignments: [Alignment] {
        columns.indices.map { index in
            let column = columns[index]
            guard column.alignment == .automatic else { return column.alignment }
            let cells = rows.map { $0[index] }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(Self.looksNumeric) ? .right : .left
        }
    }

    /// ```
    /// +-------+----------+
    /// | stage | accuracy |
    /// +-------+----------+
    /// | fp32  |    99.12 |
    /// +-------+----------+
    /// ```
    public func renderPlainText() -> String {
        let widths = columnWidths()
        let alignments = self.alignments
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String], _ alignments: [Alignment]) -> String {
            "| " + zip(cells, zip(widths, alignments)).map { cell, layout in
                Self.pad(cell, to: layout.0, layout.1)
            }.joined(separator: " | ") + " |"
        }
        let header = line(columns.map(\.title), Array(repeating: .left, count: columns.count))
        let body = rows.map { line($0, alignments) }
        return ([rule, header, rule] + body + [rule]).joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured Markdown table; `|` in cells is escaped.
    public func renderMarkdown() -> String {
        let alignments = self.alignments
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let separator = "|" + alignments.map { $0 == .right ? "---:|" : "---|" }.joined()
        return ([line(columns.map(\.title)), separator] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    private func columnWidths() -> [Int] {
        columns.indices.map { index in
            ([columns[index].title] + rows.map { $0[index] }).map(\.count).max() ?? 0
        }
    }

    private static func pad(_ text: String, to width: Int, _ alignment: Alignment) -> String {
        let padding = String(repeating: " ", count: width - text.count)
        return alignment == .right ? padding + text : text + padding
    }

    /// A sign, then a digit: numbers with units, separators and percent signs all qualify.
    static func looksNumeric(_ cell: String) -> Bool {
        let unsigned = cell.first == "-" || cell.first == "+" ? cell.dropFirst() : Substring(cell)
        return unsigned.first?.isNumber ?? false
    }
}
