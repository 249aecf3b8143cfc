import Foundation
import XCTest

/// The README and the teaching docs show only code that CI compiles: every ```swift block of
/// README.md, docs/autograd.md, docs/autograd/*.md, docs/auto-compression.md and the DocC articles follows a line `<!-- include: PATH#NAME -->` and is, byte for byte,
/// the region of the Swift file PATH (under Sources/ or Tests/) between `// ANCHOR: NAME` and
/// `// ANCHOR_END: NAME`, without the common indentation and without nested anchor lines.
/// `SWIFTLET_WRITE_DOCS=1 swift test --filter DocsTests` rewrites the blocks from the sources.
final class DocsSnippetTests: XCTestCase {
    func testEverySwiftBlockIsARegionOfACompiledFile() throws {
        let rewrite = ProcessInfo.processInfo.environment["SWIFTLET_WRITE_DOCS"] == "1"
        let folder = PackageFolders.root.appendingPathComponent("docs/autograd")
        let chapters = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertFalse(chapters.isEmpty, "no chapters in \(folder.path)")
        var blocks = 0
        let catalogs = ["Sources/Swiftlet/Swiftlet.docc", "Datasets/Datasets.docc"]
        let articles = try catalogs.flatMap { catalog in
            try FileManager.default.contentsOfDirectory(atPath: PackageFolders.root.appendingPathComponent(catalog).path)
                .filter { $0.hasSuffix(".md") }.sorted().map { "\(catalog)/\($0)" }
        }
        for page in ["README.md", "docs/autograd.md", "docs/auto-compression.md"] + chapters.map({ "docs/autograd/\($0)" }) + articles {
            let url = PackageFolders.root.appendingPathComponent(page)
            let original = try String(contentsOf: url, encoding: .utf8)
            let (text, count) = try included(original, page: page)
            blocks += count
            if rewrite, text != original { try text.write(to: url, atomically: true, encoding: .utf8) }
            XCTAssertTrue(rewrite || text == original, "\(page): a swift block differs from its source region; "
                          + "SWIFTLET_WRITE_DOCS=1 swift test --filter DocsTests rewrites it")
        }
        XCTAssertGreaterThan(blocks, 10)
    }

    func testRegionsAreCutAndDedented() throws {
        let source = "a\n    // ANCHOR: x\n    func f() {\n        // ANCHOR: inner\n        g()\n        // ANCHOR_END: inner\n    }\n    // ANCHOR_END: x\n"
        XCTAssertEqual(try Self.region("x", of: source, file: "t.swift"), "func f() {\n    g()\n}")
        XCTAssertThrowsError(try Self.region("y", of: source, file: "t.swift"))
    }

    /// `page` with every swift block replaced by its region, and how many blocks there were.
    private func included(_ page: String, page name: String) throws -> (String, Int) {
        var output: [Substring] = [], lines = page.split(separator: "\n", omittingEmptySubsequences: false)[...], count = 0
        while let line = lines.popFirst() {
            output.append(line)
            guard line.hasPrefix("```swift") else { continue }
            let include = output.dropLast().last { !$0.isEmpty }.flatMap(Self.includeTarget)
            guard let (path, anchor) = include else {
                throw DocsError("\(name) line \(output.count): a swift block needs `<!-- include: Sources/…/File.swift#anchor -->` before it")
            }
            guard path.hasPrefix("Sources/") || path.hasPrefix("Tests/"), path.hasSuffix(".swift") else {
                throw DocsError("\(name): \(path) is not a compiled Swift file under Sources/ or Tests/")
            }
            let source = try String(contentsOf: PackageFolders.root.appendingPathComponent(path), encoding: .utf8)
            output.append(Substring(try Self.region(anchor, of: source, file: path)))
            while let skipped = lines.popFirst(), !skipped.hasPrefix("```") {}
            output.append("```")
            count += 1
        }
        return (output.joined(separator: "\n"), count)
    }

    /// `(path, anchor)` of a line `<!-- include: path#anchor -->`.
    private static func includeTarget(_ line: Substring) -> (String, String)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("<!-- include: "), text.hasSuffix(" -->") else { return nil }
        let target = text.dropFirst("<!-- include: ".count).dropLast(" -->".count)
        let parts = target.split(separator: "#")
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }

    /// The lines between `// ANCHOR: name` and `// ANCHOR_END: name`, dedented.
    static func region(_ name: String, of source: String, file: String) throws -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = lines.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = trimmed.firstIndex(of: "// ANCHOR: \(name)"),
              let end = trimmed[start...].firstIndex(of: "// ANCHOR_END: \(name)") else {
            throw DocsError("\(file) has no region `// ANCHOR: \(name)` … `// ANCHOR_END: \(name)`")
        }
        let body = lines[(start + 1)..<end].filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("// ANCHOR") }
        let indent = body.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return body.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n")
    }
}

struct DocsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
