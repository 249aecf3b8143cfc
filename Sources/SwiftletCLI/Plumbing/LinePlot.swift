import Foundation
import Swiftlet

/// A line chart of named series as a standalone SVG file, for reports (accuracy against
/// sparsity, bits or size). Output depends only on the input: same plot, same bytes.
public struct LinePlot {
    public struct Series {
        public var name: String
        /// Drawn in the given order, joined by lines, each marked with a dot.
        public var points: [(x: Double, y: Double)]

        public init(_ name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// Data the plot cannot draw; the description names the series and the value.
    public enum PlotError: Error, Equatable, CustomStringConvertible {
        case nonFinite(series: String, x: Double, y: Double)
        case nonPositiveOnLogScale(series: String, x: Double)

        public var description: String {
            switch self {
            case let .nonFinite(series, x, y): return "series \"\(series)\" has a non-finite point (\(x), \(y))"
            case let .nonPositiveOnLogScale(series, x):
                return "series \"\(series)\" has x = \(x), but a logarithmic x axis needs positive values"
            }
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// A logarithmic x axis (ticks at powers of ten, plus 2 and 5 when the range is short).
    public var logarithmicX: Bool
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, series: [Series] = [],
                logarithmicX: Bool = false, width: Int = 720, height: Int = 420) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicX = logarithmicX
        self.width = width
        self.height = height
    }

    // Colour-blind-friendly palette (Okabe & Ito), cycled when there are more series.
    private static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
    /// Room for the legend to the right of the plot: about 7 px per character at 12 px
    /// (estimated, since the SVG is written without measuring text), at most half the width.
    private var legendWidth: Double {
        let longest = series.map(\.name.count).max() ?? 0
        return min(60 + 7 * Double(longest), Double(width) / 2)
    }

    /// The SVG document.
    public func svg() throws -> String {
        for line in series {
            for point in line.points {
                guard point.x.isFinite && point.y.isFinite else {
                    throw PlotError.nonFinite(series: line.name, x: point.x, y: point.y)
                }
                if logarithmicX && point.x <= 0 { throw PlotError.nonPositiveOnLogScale(series: line.name, x: point.x) }
            }
        }
        let points = series.flatMap(\.points)
        let xAxis = logarithmicX ? PlotAxis.logarithmic(points.map(\.x)) : PlotAxis.linear(points.map(\.x))
        let yAxis = PlotAxis.linear(points.map(\.y))

        let margin = (left: 70.0, right: legendWidth, top: 45.0, bottom: 55.0)
        let plotWidth = Double(width) - margin.left - margin.right
        let plotHeight = Double(height) - margin.top - margin.bottom
        func px(_ x: Double) -> Double { margin.left + xAxis.fraction(x) * plotWidth }
        func py(_ y: Double) -> Double { margin.top + (1 - yAxis.fraction(y)) * plotHeight }
        let bottom = margin.top + plotHeight, right = margin.left + plotWidth

        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
            <rect width="\(width)" height="\(height)" fill="white"/>
            <text x="\(f(margin.left + plotWidth / 2))" y="\(f(margin.top / 2 + 5))" text-anchor="middle" \
            font-size="16">\(xmlEscaped(title))</text>

            """
        svg += "<g class=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n"
        for tick in xAxis.ticks { svg += "<line x1=\"\(f(px(tick)))\" y1=\"\(f(margin.top))\" x2=\"\(f(px(tick)))\" y2=\"\(f(bottom))\"/>\n" }
        for tick in yAxis.ticks { svg += "<line x1=\"\(f(margin.left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(right))\" y2=\"\(f(py(tick)))\"/>\n" }
        svg += "</g>\n<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
        svg += "<line x1=\"\(f(margin.left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\"/>\n"
        svg += "<line x1=\"\(f(margin.left))\" y1=\"\(f(margin.top))\" x2=\"\(f(margin.left))\" y2=\"\(f(bottom))\"/>\n"
        svg += "</g>\n<g class=\"tick-labels\" fill=\"#333333\">\n"
        for tick in xAxis.ticks {
            svg += "<text x=\"\(f(px(tick)))\" y=\"\(f(bottom + 18))\" text-anchor=\"middle\">\(xAxis.label(tick))</text>\n"
        }
        for tick in yAxis.ticks {
            svg += "<text x=\"\(f(margin.left - 8))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(yAxis.label(tick))</text>\n"
        }
        svg += "</g>\n"
        svg += "<text x=\"\(f(margin.left + plotWidth / 2))\" y=\"\(f(Double(height) - 12))\" text-anchor=\"middle\">\(xmlEscaped(xLabel))</text>\n"
        let yLabelX = 18.0, yLabelY = margin.top + plotHeight / 2
        svg += "<text x=\"\(f(yLabelX))\" y=\"\(f(yLabelY))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 \(f(yLabelX)) \(f(yLabelY)))\">\(xmlEscaped(yLabel))</text>\n"

        for (index, line) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            svg += "<g class=\"series\" data-name=\"\(xmlEscaped(line.name))\" stroke=\"\(colour)\" fill=\"\(colour)\">\n"
            if line.points.count > 1 {
                let coordinates = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke-width=\"2\" points=\"\(coordinates)\"/>\n"
            }
            for point in line.points {
                svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\"/>\n"
            }
            svg += "</g>\n"
        }

        svg += "<g class=\"legend\">\n"
        for (index, line) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let y = margin.top + 10 + Double(index) * 20
            svg += "<line x1=\"\(f(right + 15))\" y1=\"\(f(y))\" x2=\"\(f(right + 40))\" y2=\"\(f(y))\" "
                + "stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(right + 46))\" y=\"\(f(y + 4))\">\(xmlEscaped(line.name))</text>\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// Writes the SVG atomically, creating parent folders.
    public func write(to url: URL) throws {
        try AtomicFile.write(try svg(), to: url)
    }
}

/// Coordinates with two decimals: enough for a screen, and stable across runs.
private func f(_ value: Double) -> String {
    String(format: "%.2f", value)
}

/// Text safe inside XML elements and attributes.
func xmlEscaped(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&apos;"
        default: result.append(character)
        }
    }
    return result
}

/// One axis: its range, its ticks and how values map onto it.
struct PlotAxis {
    let low: Double
    let high: Double
    let ticks: [Double]
    let isLogarithmic: Bool
    /// Decimals for tick labels on a linear axis.
    let decimals: Int

    func fraction(_ value: Double) -> Double {
        isLogarithmic ? (log10(value) - log10(low)) / (log10(high) - log10(low)) : (value - low) / (high - low)
    }

    func label(_ tick: Double) -> String {
        if isLogarithmic {
            return tick >= 1 && tick < 1e7 ? HumanReadable.count(tick) : String(format: "%g", tick)
        }
        return String(format: "%.\(decimals)f", tick == 0 ? 0 : tick)
    }

    /// About five ticks at 1, 2 or 5 times a power of ten, covering `values`.
    static func linear(_ values: [Double]) -> PlotAxis {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high {
            let spread = max(abs(low) * 0.1, 1)
            low -= spread
            high += spread
        }
        let rough = (high - low) / 5
        let magnitude = pow(10, floor(log10(rough)))
        let residual = rough / magnitude
        let step = (residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10) * magnitude
        let first = floor(low / step + 1e-9), last = ceil(high / step - 1e-9)
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        return PlotAxis(low: first * step, high: last * step, ticks: ticks, isLogarithmic: false,
                    decimals: max(0, -Int(floor(log10(step) + 1e-9))))
    }

    /// Whole decades covering `values`; 2× and 5× ticks too when they span three decades or fewer.
    static func logarithmic(_ values: [Double]) -> PlotAxis {
        var lowPower = floor(log10(values.min() ?? 1) + 1e-9), highPower = ceil(log10(values.max() ?? 10) - 1e-9)
        if lowPower == highPower { highPower += 1 }
        if highPower - lowPower > 100 { lowPower = highPower - 100 }  // keeps the tick list finite
        let multiples: [Double] = highPower - lowPower <= 3 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for power in stride(from: lowPower, through: highPower, by: 1) {
            for multiple in multiples where power < highPower || multiple == 1 {
                ticks.append(multiple * pow(10, power))
            }
        }
        return PlotAxis(low: pow(10, lowPower), high: pow(10, highPower), ticks: ticks, isLogarithmic: true, decimals: 0)
    }
}
