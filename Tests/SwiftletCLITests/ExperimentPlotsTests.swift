import Foundation
import XCTest
@testable import SwiftletCLI

/// The report's plots tell the story: stages of one method joined into one series, no two
/// series alike, legends short enough to read, reference figures as hollow markers.
final class ExperimentPlotsTests: XCTestCase {
    /// Each built-in experiment's stage names as its last run recorded them in
    /// docs/reproduction.md (the first table of its section).
    private func stageNamesInTheReproductionPage() throws -> [String: [String]] {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/reproduction.md")
        var names: [String: [String]] = [:], experiment: String?, inTable = false
        for line in try String(contentsOf: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { experiment = String(line.dropFirst(3)); inTable = false; continue }
            guard let id = experiment, builtInExperiments.contains(where: { $0.id == id }) else { continue }
            if line.hasPrefix("| stage |") { inTable = names[id] == nil; continue }
            if inTable, line.hasPrefix("| "), !line.hasPrefix("|---") {
                names[id, default: []].append(line.split(separator: "|")[0].trimmingCharacters(in: .whitespaces))
            } else if !line.hasPrefix("|") {
                inTable = false
            }
        }
        return names
    }

    /// Results for `stages` that vary in size, sparsity and bits, so every plot is drawn.
    private func results(_ experiment: String, stages: [String]) throws -> [StageResult] {
        try stages.enumerated().map { index, stage in
            let line = """
                {"experiment": "\(experiment)", "stage": "\(stage)", "accuracy": \(90 + Double(index) / 10), \
                "sparsity": \(index), "params": 1000, "size_bytes": \(4000 - 100 * index), "dense_bytes": 4000, "flops": 1000, \
                "seconds": 1\(index % 2 == 0 ? ", \"bits\": \(8 >> (index % 3))" : "")}
                """
            return try JSONDecoder().decode(StageResult.self, from: Data(line.utf8))
        }
    }

    func testEveryBuiltInExperimentsPlotsHaveDistinctSeriesAndShortLegends() throws {
        let stageNames = try stageNamesInTheReproductionPage()
        XCTAssertEqual(Set(stageNames.keys), Set(builtInExperiments.map(\.id)), "every experiment has a table in the page")
        for experiment in builtInExperiments {
            let stages = try XCTUnwrap(stageNames[experiment.id])
            for (file, plot) in ExperimentPlots(experiment: experiment, results: try results(experiment.id, stages: stages)).all {
                XCTAssertLessThanOrEqual(plot.series.count, 10, "\(file): \(plot.series.map(\.name))")
                let svg = try plot.svg()
                let styles = svg.matches(of: #/data-style="([^"]*)"/#).map { String($0.1) }
                XCTAssertEqual(styles.count, plot.series.count, file)
                XCTAssertEqual(Set(styles).count, styles.count, "\(file): two series look alike")
                let joined = plot.series.filter { !$0.isReference && $0.points.count > 1 }.count
                XCTAssertEqual(svg.matches(of: #/<polyline/#).count, joined, "\(file): every multi-stage series is a line")
            }
        }
    }

    func testStagesDifferingOnlyInASettingAreOneSeries() {
        let plain = PlainExperiment()
        XCTAssertEqual(["round-w8", "round-w4", "round-w8-retrained", "ptq-w8a8", "ptq-float16", "agp-12", "pruned-70",
                        "fc1-rank16-finetuned-lr0.001", "student-kd-t2", "trained"].map(plain.series(ofStage:)),
                       ["round", "round", "round-retrained", "ptq", "ptq-float16", "agp", "pruned",
                        "fc1-finetuned", "student-kd", "trained"])
        XCTAssertEqual(plain.series(ofStage: "w8"), "w8", "a name that is only a setting stays itself")
    }

    func testReferencesAreHollowUnjoinedMarkersAtTheirStage() throws {
        let experiment = try XCTUnwrap(builtInExperiments.first { $0.id == "seed000-mnist-prune" })
        let plots = ExperimentPlots(experiment: experiment, results: try results(experiment.id, stages: ["trained", "pruned", "retrained"]))
        let size = try XCTUnwrap(plots.all.first).plot
        XCTAssertEqual(size.series.map(\.name), ["prune → retrain", "PyTorch"])
        XCTAssertEqual(size.series[1].isReference, true)
        XCTAssertEqual(size.series[1].points.map(\.x), size.series[0].points.map(\.x), "at the x of the stage referred to")
        XCTAssertEqual(size.series[1].points.map(\.y), [99.16, 97.59, 99.01])
        let svg = try size.svg()
        XCTAssertEqual(svg.matches(of: #/<polyline/#).count, 1, "references are not joined")
        XCTAssertTrue(svg.contains(##"data-name="PyTorch" data-style="#D55E00 square" stroke="#D55E00" fill="white""##), svg)
    }
}
