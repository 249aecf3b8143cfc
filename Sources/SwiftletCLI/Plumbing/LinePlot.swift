import Foundation
import Swiftlet

/// A line chart of named series as a standalone SVG file, for reports (accuracy against
/// sparsity, bits or size). Output depends only on the input: same plot, same bytes.
///
/// Every series has its own colour *and* marker (8 colours × 5 markers, distinct for the first
/// 40 series), so no two look alike even where colours are hard to tell apart.
public struct LinePlot {
    public struct Series {
        public var name: String
        /// Drawn in the given order, joined by lines, each marked.
        public var points: [(x: Double, y: Double)]
        /// Someone else's figures (a paper, PyTorch): hollow markers, not joined.
        public var isReference: Bool

        public init(_ name: String, points: [(x: Double, y: Double)], isReference: Bool = false) {
            self.name = name
            self.points = points
            self.isReference = isReference
        }
    }

    /// How x values map onto the axis.
    public enum Scale: Sendable {
        case linear
        /// Decades (sizes, counts).
        case logarithmic
        /// Powers of two (bits per weight).
        case binaryLogarithmic
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
    public var xScale: Scale
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, series: [Series] = [],
                xScale: Scale = .linear, width: Int = 720, height: Int = 420) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xScale = xScale
        self.width = width
        self.height = height
    }

    // Colour-blind-friendly palette (Okabe & Ito); series i has colour i mod 8 and marker i mod 5.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
    static let markers: [PlotMarker] = [.circle, .square, .triangle, .diamond, .cross]
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
                if xScale != .linear && point.x <= 0 { throw PlotError.nonPositiveOnLogScale(series: line.name, x: point.x) }
            }
        }
        let points = series.flatMap(\.points)
        let xAxis = switch xScale {
        case .linear: PlotAxis.linear(points.map(\.x))
        case .logarithmic: PlotAxis.logarithmic(points.map(\.x))
        case .binaryLogarithmic: PlotAxis.logarithmic(points.map(\.x), base: 2)
        }
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
            let (colour, marker) = Self.style(index)
            let fill = line.isReference ? "white" : colour
            svg += "<g class=\"series\" data-name=\"\(xmlEscaped(line.name))\" data-style=\"\(colour) \(marker)\" "
                + "stroke=\"\(colour)\" fill=\"\(fill)\">\n"
            if line.points.count > 1 && !line.isReference {
                let coordinates = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke-width=\"2\" points=\"\(coordinates)\"/>\n"
            }
            for point in line.points { svg += marker.svg(x: px(point.x), y: py(point.y)) }
            svg += "</g>\n"
        }

        // Entries closer together when many would run past the bottom.
        let spacing = min(20, (plotHeight - 10) / Double(max(series.count, 1)))
        svg += "<g class=\"legend\">\n"
        for (index, line) in series.enumerated() {
            let (colour, marker) = Self.style(index)
            let y = margin.top + 10 + Double(index) * spacing
            svg += "<g stroke=\"\(colour)\" fill=\"\(line.isReference ? "white" : colour)\">\n"
            if !line.isReference {
                svg += "<line x1=\"\(f(right + 15))\" y1=\"\(f(y))\" x2=\"\(f(right + 40))\" y2=\"\(f(y))\" stroke-width=\"2\"/>\n"
            }
            svg += marker.svg(x: right + 27.5, y: y) + "</g>\n"
            svg += "<text x=\"\(f(right + 46))\" y=\"\(f(y + 4))\">\(xmlEscaped(line.name))</text>\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// Series `index`'s colour and marker.
    static func style(_ index: Int) -> (colour: String, marker: PlotMarker) {
        (palette[index % palette.count], markers[index % markers.count])
    }

    /// Writes the SVG atomically, creating parent folders.
    public func write(to url: URL) throws {
        try AtomicFile.write(try svg(), to: url)
    }
}

/// The shape marking each point of a series, about 7 px across.
enum PlotMarker: String, CustomStringConvertible {
    case circle, square, triangle, diamond, cross

    var description: String { rawValue }

    func svg(x: Double, y: Double) -> String {
        switch self {
        case .circle: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\"/>\n"
        case .square: return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\"/>\n"
        case .triangle: return polygon([(x, y - 4.5), (x + 4, y + 3), (x - 4, y + 3)])
        case .diamond: return polygon([(x, y - 4.5), (x + 4.5, y), (x, y + 4.5), (x - 4.5, y)])
        case .cross:
            return "<path d=\"M\(f(x - 4)),\(f(y - 4))L\(f(x + 4)),\(f(y + 4))M\(f(x - 4)),\(f(y + 4))L\(f(x + 4)),\(f(y - 4))\" stroke-width=\"2\"/>\n"
        }
    }

    private func polygon(_ corners: [(Double, Double)]) -> String {
        "<polygon points=\"\(corners.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>\n"
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
        isLogarithmic ? (log(value) - log(low)) / (log(high) - log(low)) : (value - low) / (high - low)
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

    /// Whole powers of `base` covering `values`; for decades, 2× and 5× ticks too when they span
    /// three decades or fewer.
    static func logarithmic(_ values: [Double], base: Double = 10) -> PlotAxis {
        func power(_ value: Double) -> Double { log(value) / log(base) }
        var lowPower = floor(power(values.min() ?? 1) + 1e-9), highPower = ceil(power(values.max() ?? base) - 1e-9)
        if lowPower == highPower { highPower += 1 }
        if highPower - lowPower > 100 { lowPower = highPower - 100 }  // keeps the tick list finite
        let multiples: [Double] = base == 10 && highPower - lowPower <= 3 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for power in stride(from: lowPower, through: highPower, by: 1) {
            for multiple in multiples where power < highPower || multiple == 1 {
                ticks.append(multiple * pow(base, power))
            }
        }
        return PlotAxis(low: pow(base, lowPower), high: pow(base, highPower), ticks: ticks, isLogarithmic: true, decimals: 0)
    }
}
