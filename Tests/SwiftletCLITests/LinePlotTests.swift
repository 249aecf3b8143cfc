import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import SwiftletCLI

final class LinePlotTests: XCTestCase {
    /// Collects element names, series names and text content while checking well-formedness.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var seriesNames: [String] = []
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            if let series = attributes["data-name"] { seriesNames.append(series) }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }
    }

    private func samplePlot(xScale: LinePlot.Scale = .linear) -> LinePlot {
        LinePlot(title: "Accuracy vs sparsity <MNIST & co>", xLabel: "sparsity (%)", yLabel: "accuracy (%)", series: [
            LinePlot.Series("magnitude", points: [(1, 99.1), (50, 99.0), (90, 98.6), (95, 97.2)]),
            LinePlot.Series("random \"mask\"", points: [(1, 99.1), (50, 97.5), (90, 60.3)]),
            LinePlot.Series("single", points: [(20, 98)]),
        ], xScale: xScale)
    }

    private func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        // XMLParser on Linux can return true and still record an error, so check both.
        XCTAssertTrue(parser.parse())
        XCTAssertNil(parser.parserError, "\(String(describing: parser.parserError))")
        return collector
    }

    func testIsWellFormedXMLWithEverySeries() throws {
        let svg = try samplePlot().svg()
        let parsed = try parse(svg)
        XCTAssertEqual(parsed.elements.first, "svg")
        XCTAssertEqual(parsed.seriesNames, ["magnitude", "random \"mask\"", "single"])
        XCTAssertEqual(parsed.elements.filter { $0 == "polyline" }.count, 2, "a single point has no line")
        XCTAssertEqual(parsed.elements.filter { $0 == "circle" }.count, 4 + 1, "the first series' points and legend entry")
        XCTAssertEqual(parsed.elements.filter { $0 == "rect" }.count, 1 + 3 + 1, "background, the second series' points and legend entry")
        for label in ["Accuracy vs sparsity <MNIST & co>", "sparsity (%)", "accuracy (%)", "random \"mask\""] {
            XCTAssertTrue(parsed.text.contains(label), label)
        }
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    func testOutputIsDeterministic() throws {
        XCTAssertEqual(try samplePlot().svg(), try samplePlot().svg())
        XCTAssertEqual(try samplePlot(xScale: .logarithmic).svg(), try samplePlot(xScale: .logarithmic).svg())
    }

    func testLinearTicksAreRoundNumbersCoveringTheData() {
        let axis = PlotAxis.linear([97.2, 99.1])
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["97.0", "97.5", "98.0", "98.5", "99.0", "99.5"])
        XCTAssertEqual(axis.fraction(97), 0, accuracy: 1e-12)
        XCTAssertEqual(axis.fraction(99.5), 1, accuracy: 1e-12)
        let flat = PlotAxis.linear([5, 5])
        XCTAssertLessThan(flat.low, 5)
        XCTAssertGreaterThan(flat.high, 5)
        XCTAssertEqual(PlotAxis.linear([0, 100]).ticks.map { PlotAxis.linear([0, 100]).label($0) }, ["0", "20", "40", "60", "80", "100"])
    }

    func testLogarithmicTicks() throws {
        let axis = PlotAxis.logarithmic([3, 700])
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["1", "2", "5", "10", "20", "50", "100", "200", "500", "1,000"])
        let wide = PlotAxis.logarithmic([1e-3, 1e6])
        XCTAssertEqual(wide.ticks.count, 10)
        XCTAssertEqual(wide.fraction(1), 1.0 / 3, accuracy: 1e-12)
        _ = try parse(try samplePlot(xScale: .logarithmic).svg())
    }

    func testBinaryLogarithmicTicksArePowersOfTwo() {
        let axis = PlotAxis.logarithmic([1, 32], base: 2)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["1", "2", "4", "8", "16", "32"])
        XCTAssertEqual(axis.fraction(4), 0.4, accuracy: 1e-12)
    }

    func testTheFirstFortySeriesAllLookDifferent() {
        let styles = (0..<40).map { LinePlot.style($0) }.map { "\($0.colour) \($0.marker)" }
        XCTAssertEqual(Set(styles).count, 40)
    }

    func testRejectsDataItCannotDraw() {
        var logPlot = samplePlot(xScale: .logarithmic)
        logPlot.series[0].points[0].x = 0
        XCTAssertThrowsError(try logPlot.svg()) { error in
            XCTAssertEqual(error as? LinePlot.PlotError, .nonPositiveOnLogScale(series: "magnitude", x: 0))
            XCTAssertEqual("\(error)", "series \"magnitude\" has x = 0.0, but a logarithmic x axis needs positive values")
        }
        var plot = samplePlot()
        plot.series[1].points.append((100, .nan))
        XCTAssertThrowsError(try plot.svg()) { error in
            XCTAssertEqual("\(error)", "series \"random \"mask\"\" has a non-finite point (100.0, nan)")
        }
    }

    func testEmptyPlotStillRenders() throws {
        let parsed = try parse(try LinePlot(title: "nothing yet", xLabel: "x", yLabel: "y").svg())
        XCTAssertEqual(parsed.seriesNames, [])
    }

    func testWritesTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("LinePlotTests-\(UUID().uuidString)/plots/a.svg")
        addTeardownBlock { try? FileManager.default.removeItem(at: url.deletingLastPathComponent().deletingLastPathComponent()) }
        try samplePlot().write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), try samplePlot().svg())
    }
}
