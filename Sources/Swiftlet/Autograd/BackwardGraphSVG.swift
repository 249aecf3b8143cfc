import Foundation

extension BackwardGraph {
    /// The graph drawn as SVG by Swiftlet itself (no Graphviz): inputs at the top, the root
    /// at the bottom, laid out in layers (`LayeredLayout`). Each box shows the op or name and
    /// the shape, and for tensors of at most `valuesUpTo` elements their values and gradients.
    /// Colours: blue ops, yellow leaves that learn, grey constants, red the root.
    public func svg(valuesUpTo limit: Int = 4) -> String {
        let labels = nodes.indices.map { label($0, valuesUpTo: limit) }
        let (characterWidth, lineHeight, padding) = (7.2, 15.0, 8.0)
        let sizes = labels.map { lines in
            (width: Double(lines.map(\.count).max() ?? 0) * characterWidth + 2 * padding, height: Double(lines.count) * lineHeight + padding)
        }
        let layout = LayeredLayout(inputs: nodes.map(\.inputs), sizes: sizes)
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(layout.width))\" height=\"\(Self.number(layout.height))\" "
                + "font-family=\"monospace\" font-size=\"12\">",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666666\"/></marker></defs>",
        ]
        for (index, node) in nodes.enumerated() {
            // The inputs arrive side by side over the middle half of the box, ordered by where
            // they come from so that their edges do not cross.
            for (slot, input) in node.inputs.sorted(by: { layout.x[$0] < layout.x[$1] }).enumerated() {
                let spread = node.inputs.count > 1 ? (Double(slot) / Double(node.inputs.count - 1) - 0.5) * sizes[index].width / 2 : 0
                let (x1, y1) = (layout.x[input], layout.y[input] + sizes[input].height / 2)
                let (x2, y2) = (layout.x[index] + spread, layout.y[index] - sizes[index].height / 2)
                let middle = (y1 + y2) / 2
                svg.append("<path d=\"M\(Self.number(x1)),\(Self.number(y1)) C\(Self.number(x1)),\(Self.number(middle)) "
                           + "\(Self.number(x2)),\(Self.number(middle)) \(Self.number(x2)),\(Self.number(y2))\" "
                           + "fill=\"none\" stroke=\"#666666\" marker-end=\"url(#arrow)\"/>")
            }
        }
        for (index, lines) in labels.enumerated() {
            let (width, height) = sizes[index]
            let (left, top) = (layout.x[index] - width / 2, layout.y[index] - height / 2)
            svg.append("<g><rect x=\"\(Self.number(left))\" y=\"\(Self.number(top))\" width=\"\(Self.number(width))\" "
                       + "height=\"\(Self.number(height))\" rx=\"5\" fill=\"\(fill(index))\" stroke=\"#333333\"/>")
            for (row, line) in lines.enumerated() {
                let baseline = top + padding / 2 + Double(row + 1) * lineHeight - 3
                svg.append("<text x=\"\(Self.number(layout.x[index]))\" y=\"\(Self.number(baseline))\" text-anchor=\"middle\""
                           + (row == 0 ? " font-weight=\"bold\"" : "") + ">\(Self.xmlEscaped(line))</text>")
            }
            svg.append("</g>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
