import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser, outside Foundation on Linux
#endif
import Swiftlet
import XCTest
import ResNetExample
@testable import SwiftletCLI

final class GraphCommandTests: CommandTestCase {
    /// Every model the tool knows (the built-in ones and the ResNet-20 example) draws one
    /// training step as well-formed SVG with a box per tensor.
    func testEveryModelDrawsAWellFormedSVG() throws {
        for model in Catalog(models: [ResNet20.entry]).models {
            let file = folder.appendingPathComponent("\(model.name).svg")
            let result = run(["graph", "--model", model.name, "--out", file.path, "--json", "--threads", "1"])
            XCTAssertEqual(result.code, 0, "\(model.name): \(result.errors)")
            let line = try XCTUnwrap(jsonLines(result.output).first, model.name)
            let elements = try SVGElements(String(contentsOf: file, encoding: .utf8))
            XCTAssertEqual(elements.count("rect"), line["tensors"] as? Int, model.name)
            XCTAssertTrue(elements.texts.contains("crossEntropy"), model.name)
            XCTAssertGreaterThan(line["parameters"] as? Int ?? 0, 1, model.name)
        }
    }

    /// The check above can fail: it rejects what an XML parser rejects, and a non-SVG root.
    func testTheSVGCheckRejectsMalformedDocuments() {
        for document in ["<svg><g></svg>", "<svg><rect x=1/></svg>", "<svg><text>a < b</text></svg>", "<svg>", "<g></g>"] {
            XCTAssertThrowsError(try SVGElements(document), document)
        }
        XCTAssertEqual(try SVGElements("<svg><g><text>a &amp; b</text></g></svg>").texts, ["a & b"])
    }

    func testDotOutputAndErrors() throws {
        let file = folder.appendingPathComponent("mnist.dot")
        let result = run(["graph", "--model", "mnist-net", "--out", file.path])
        XCTAssertEqual(result.code, 0, result.errors)
        let dot = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(dot.hasPrefix("digraph backward {"))
        XCTAssertTrue(dot.contains("conv1.weight\\n[10, 1, 5, 5]"), dot)
        XCTAssertTrue(result.output.hasPrefix("wrote \(file.path): "), result.output)

        XCTAssertEqual(run(["graph", "--model", "mnist-net"]).code, 1)
        XCTAssertEqual(run(["graph", "--out", file.path]).code, 1)
        XCTAssertTrue(run(["graph", "--help"]).output.contains("Usage: swiftlet graph"))
    }
}

/// The elements and texts of an SVG document, read by Foundation's XML parser; a document
/// that is not well-formed XML throws.
struct SVGElements {
    private(set) var names: [String] = []
    private(set) var texts: [String] = []

    init(_ svg: String) throws {
        let reader = Reader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        // Foundation on Linux returns true from parse() for some errors (a tag left open), so
        // the error and the nesting are checked too.
        guard parser.parse(), parser.parserError == nil, reader.depth == 0 else {
            throw TensorError.invalidArgument(op: "SVG", "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unbalanced tags")")
        }
        guard reader.names.first == "svg" else { throw TensorError.invalidArgument(op: "SVG", "the root element is \(reader.names.first ?? "missing")") }
        names = reader.names
        texts = reader.texts
    }

    func count(_ name: String) -> Int { names.filter { $0 == name }.count }

    private final class Reader: NSObject, XMLParserDelegate {
        var names: [String] = [], texts: [String] = []
        private(set) var depth = 0
        private var text: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            names.append(name)
            depth += 1
            text = name == "text" ? "" : nil
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if name == "text", let text { texts.append(text) }
            text = nil
        }
    }
}
