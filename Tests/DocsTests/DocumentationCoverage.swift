import Foundation

/// The public symbols of a module's symbol graphs (`swift-symbolgraph-extract
/// -minimum-access-level public`) that have no doc comment: DocumentationCoverageTests, which
/// docs/build-docs.sh also runs.
///
/// Not counted, because no one writes them in this module's source:
/// - symbols a type inherits from a protocol extension (`hash(into:)` of a raw-value enum, `!=`,
///   `Sequence.filter`): their identifier holds `::SYNTHESIZED::`;
/// - declarations the compiler makes (a raw-value enum's `init(rawValue:)`, Codable's
///   `init(from:)`/`encode(to:)`, a derived `==`): they have no source location.
///
/// A symbol that implements a protocol requirement or overrides a superclass member and has no
/// comment of its own (a layer's `forward(_:)`, an error's `description`) is documented by the
/// requirement's comment: symbolgraph-extract copies it, and DocC shows it.
enum DocumentationCoverage {
    struct Graph: Decodable {
        struct Module: Decodable { let name: String }
        let module: Module
        let symbols: [Symbol]
    }

    struct Symbol: Decodable {
        struct Identifier: Decodable { let precise: String }
        struct Kind: Decodable { let identifier: String }
        struct Comment: Decodable {
            struct Line: Decodable { let text: String }
            let lines: [Line]
        }
        struct Location: Decodable {
            struct Position: Decodable { let line: Int }
            let uri: String
            let position: Position
        }
        let identifier: Identifier
        let kind: Kind
        let pathComponents: [String]
        let accessLevel: String
        let docComment: Comment?
        let location: Location?
    }

    /// One line per undocumented symbol of the graphs `*.symbols.json` in `folder`, sorted:
    /// `Module Type.member(_:) (kind) path/File.swift:line`, the path relative to `root`.
    static func undocumentedSymbols(inSymbolGraphsAt folder: URL, root: URL) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(".symbols.json") }
        guard !files.isEmpty else { throw CoverageError("no *.symbols.json in \(folder.path)") }
        return try files.flatMap { file in
            let graph: Graph
            do { graph = try JSONDecoder().decode(Graph.self, from: Data(contentsOf: file)) } catch {
                throw CoverageError("\(file.path) is not a symbol graph: \(error)")
            }
            return undocumented(graph, root: root)
        }.sorted()
    }

    static func undocumented(_ graph: Graph, root: URL) -> [String] {
        let prefix = "file://" + root.standardizedFileURL.path + "/"
        return graph.symbols.compactMap { symbol in
            guard ["public", "open"].contains(symbol.accessLevel), !symbol.identifier.precise.contains("::SYNTHESIZED::"),
                  let location = symbol.location else { return nil }
            let text = symbol.docComment?.lines.map(\.text).joined().trimmingCharacters(in: .whitespaces) ?? ""
            guard text.isEmpty else { return nil }
            let file = location.uri.hasPrefix(prefix) ? String(location.uri.dropFirst(prefix.count)) : location.uri
            return "\(graph.module.name) \(symbol.pathComponents.joined(separator: ".")) (\(symbol.kind.identifier)) "
                + "\(file):\(location.position.line + 1)"
        }
    }
}

struct CoverageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
