import Foundation

extension BackwardGraph {
    /// The graph in Graphviz's DOT language, edges from inputs to results (`dot -Tsvg`).
    public func dot(valuesUpTo limit: Int = 4) -> String {
        var lines = ["digraph backward {", "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\"];"]
        for index in nodes.indices {
            let text = label(index, valuesUpTo: limit).map(Self.dotEscaped).joined(separator: "\\n")
            lines.append("  n\(index) [label=\"\(text)\", fillcolor=\"\(fill(index))\"];")
        }
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { lines.append("  n\(input) -> n\(index);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dotEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
