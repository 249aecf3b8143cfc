import Foundation
import Swiftlet

/// A Markdown report built block by block: headings, paragraphs, lists, tables, images, code.
public struct MarkdownDocument {
    private var blocks: [String] = []

    /// A document starting with a level-1 heading.
    public init(title: String) {
        blocks.append("# \(title)")
    }

    public mutating func heading(_ text: String, level: Int = 2) {
        precondition((1...6).contains(level), "Markdown headings have levels 1 to 6")
        blocks.append(String(repeating: "#", count: level) + " " + text)
    }

    public mutating func paragraph(_ text: String) {
        blocks.append(text)
    }

    public mutating func bulletList(_ items: [String]) {
        blocks.append(items.map { "- " + $0 }.joined(separator: "\n"))
    }

    public mutating func table(_ table: Table) {
        blocks.append(table.renderMarkdown().trimmingCharacters(in: .newlines))
    }

    /// An image, e.g. an SVG plot written next to the report (`path` relative to it).
    public mutating func image(_ path: String, alt: String) {
        blocks.append("![\(alt.replacingOccurrences(of: "]", with: "\\]"))](\(path.replacingOccurrences(of: " ", with: "%20")))")
    }

    /// A fenced code block, e.g. the command that reproduces a result.
    public mutating func codeBlock(_ code: String, language: String = "") {
        blocks.append("```\(language)\n\(code.trimmingCharacters(in: .newlines))\n```")
    }

    /// Blocks separated by blank lines, ending with one newline.
    public var text: String {
        blocks.joined(separator: "\n\n") + "\n"
    }

    /// Writes the document atomically, creating parent folders.
    public func write(to url: URL) throws {
        try AtomicFile.write(text, to: url)
    }
}
