import Foundation
import XCTest
@testable import SwiftletCLI

/// results.jsonl round trips, one-line errors for broken files, and the report built from
/// them: tables, reference comparison, plots, and "not run" for experiments without results.
final class ReproductionReportTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-report-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func stage(_ name: String, accuracy: Double, sparsity: Double, stored: Int, bits: Int? = nil,
                       validationImages: Int? = nil) throws -> StageResult {
        var line = """
            {"experiment": "seed000-mnist-prune", "stage": "\(name)", "accuracy": \(accuracy), "sparsity": \(sparsity), \
            "params": 9536, "size_bytes": \(stored), "dense_bytes": 87360, "flops": 418498, "seconds": 1.5, "img_per_s": 25000
            """
        if let bits { line += ", \"bits\": \(bits)" }
        if let validationImages { line += ", \"validation_images\": \(validationImages)" }
        return try JSONDecoder().decode(StageResult.self, from: Data((line + "}").utf8))
    }

    func testJSONLineDecodesBackToTheSameResult() throws {
        let result = try stage("pruned", accuracy: 96.72, sparsity: 60.11, stored: 40864, bits: 4)
        XCTAssertEqual(result.bits, 4)
        XCTAssertEqual(result.compressionRatio, 87360.0 / 40864, accuracy: 1e-12)
        let again = try JSONDecoder().decode(StageResult.self, from: Data(result.json.jsonText.utf8))
        XCTAssertEqual(again, result)
    }

    func testAMalformedResultsLineNamesTheFileAndLine() throws {
        let run = folder.appendingPathComponent("seed000-mnist-prune")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let good = try stage("trained", accuracy: 99, sparsity: 0, stored: 87360).json.jsonText
        try (good + "\n{\"experiment\": \"x\"}\n").write(to: run.appendingPathComponent("results.jsonl"), atomically: true, encoding: .utf8)
        let experiment = try XCTUnwrap(builtInExperiments.first)
        XCTAssertThrowsError(try ExperimentReport.read(experiment, from: run)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("results.jsonl, line 2"), message)
        }
        XCTAssertThrowsError(try ExperimentReport.read(experiment, from: folder.appendingPathComponent("missing"))) { error in
            XCTAssertTrue("\(error)".contains("missing/results.jsonl"), "\(error)")
        }
    }

    func testNumbersOutsideTheirRangeAreErrorsNotTraps() throws {
        let good = try stage("trained", accuracy: 99, sparsity: 0, stored: 87360).json.jsonText
        for (bad, reason) in [(#""seconds": -1e300"#, #""seconds" is -1e+300, outside 0.0...1.7976931348623157e+308"#),
                              (#""accuracy": 101"#, #""accuracy" is 101.0, outside 0.0...100.0"#),
                              (#""flops": -1"#, #""flops" is -1, outside 0...9223372036854775807"#)] {
            let key = String(bad.prefix { $0 != ":" })
            let line = good.replacingOccurrences(of: #"\#(key): [^,}]*"#, with: bad, options: .regularExpression)
            XCTAssertNotEqual(line, good)
            XCTAssertThrowsError(try JSONDecoder().decode(StageResult.self, from: Data(line.utf8))) { error in
                XCTAssertEqual((error as? DecodingError)?.reason, reason)
            }
        }
        let missing = good.replacingOccurrences(of: #""seconds": [^,}]*, "#, with: "", options: .regularExpression)
        XCTAssertThrowsError(try JSONDecoder().decode(StageResult.self, from: Data(missing.utf8))) { error in
            XCTAssertEqual((error as? DecodingError)?.reason, #"missing "seconds""#)
        }
    }

    func testPlotsFollowWhatTheStagesVary() throws {
        let dense = try stage("trained", accuracy: 99.0, sparsity: 0, stored: 87360)
        let pruned = try stage("pruned", accuracy: 97.0, sparsity: 60, stored: 40864)
        let files = { (results: [StageResult]) in ExperimentPlots(experiment: PlainExperiment(), results: results).all.map(\.file) }
        XCTAssertEqual(files([dense]), [], "one stage is no comparison")
        XCTAssertEqual(files([dense, pruned]), ["e-size.svg", "e-sparsity.svg"])
        let eight = try stage("w8", accuracy: 98.9, sparsity: 0, stored: 21840, bits: 8)
        let four = try stage("w4", accuracy: 98.5, sparsity: 0, stored: 10920, bits: 4)
        XCTAssertEqual(files([dense, eight, four]), ["e-size.svg", "e-bits.svg"])
    }

    func testReportShowsRunsReferencesAndExperimentsNotRun() throws {
        let runs = folder.appendingPathComponent("runs")
        let results = [try stage("trained", accuracy: 99.04, sparsity: 0, stored: 87360),
                       try stage("pruned", accuracy: 96.72, sparsity: 60.11, stored: 40864)]
        let experiment = try XCTUnwrap(builtInExperiments.first { $0.id == "seed000-mnist-prune" })
        var perLayer = Table(headers: ["layer", "kept"])
        perLayer.append(["fc1.weight", "7.00%"])
        try ExperimentReport(experiment: experiment, results: results, tables: [("Per layer", perLayer)])
            .write(to: runs.appendingPathComponent(experiment.id))

        let output = folder.appendingPathComponent("docs/reproduction.md")
        let found = try ReproductionReport(experiments: builtInExperiments, runsFolder: runs, output: output, note: "--threads 1, shared machine.").write()
        XCTAssertEqual(found, 1)
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(text.contains("| trained | 99.04% |"), text)
        XCTAssertTrue(text.contains("How these runs were made: --threads 1, shared machine."))
        XCTAssertTrue(text.contains("| trained | 99.04% | 99.16% | -0.12 pp |"), "our figure beside PyTorch's")
        XCTAssertTrue(text.contains("### Per layer\n\n| layer | kept |\n|---|---:|\n| fc1.weight | 7.00% |"), "extra tables come back from tables.json")
        XCTAssertTrue(text.contains("| retrained | not run |"), "a reference stage without a result is not invented")
        XCTAssertTrue(text.contains("![seed000-mnist-prune: accuracy vs sparsity](reproduction/seed000-mnist-prune-sparsity.svg)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("docs/reproduction/seed000-mnist-prune-size.svg").path))
        for other in builtInExperiments where other.id != experiment.id {
            XCTAssertTrue(text.contains("Not run yet: `swift run -c release swiftlet reproduce \(other.id)`"), other.id)
        }
    }

    /// A run made with `--validation` is never shown as if measured on the test set.
    func testAValidationRunIsLabelledAsSuch() throws {
        let runs = folder.appendingPathComponent("runs")
        let experiment = try XCTUnwrap(builtInExperiments.first { $0.id == "seed000-mnist-prune" })
        let results = [try stage("trained", accuracy: 98.95, sparsity: 0, stored: 87360, validationImages: 10000),
                       try stage("pruned", accuracy: 96.1, sparsity: 60.11, stored: 40864, validationImages: 10000)]
        try ExperimentReport(experiment: experiment, results: results).write(to: runs.appendingPathComponent(experiment.id))
        let output = folder.appendingPathComponent("docs/reproduction.md")
        try ReproductionReport(experiments: builtInExperiments, runsFolder: runs, output: output).write()
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(text.contains("| seed000-mnist-prune (validation split) | 2 |"), text)
        XCTAssertTrue(text.contains("| stage | ours (validation split) | reference |"), text)
        XCTAssertTrue(text.contains("Accuracy is top-1 on a validation split: the last 10000 training images"), text)
        let plot = try String(contentsOf: folder.appendingPathComponent("docs/reproduction/seed000-mnist-prune-size.svg"), encoding: .utf8)
        XCTAssertTrue(plot.contains("validation accuracy (%)"), "the plot's axis says so too")
    }
}

extension ReproductionReportTests {
    /// Papers on MNIST count test errors; the report counts ours the same way, on the set
    /// the run was measured on, and lists how the setup differs from the paper's.
    func testReferencesGivenAsErrorCountsAreComparedAsCounts() throws {
        let experiment = CountedExperiment()
        let onTest = ExperimentReport(experiment: experiment, results: [try stage("dense", accuracy: 98.37, sparsity: 0, stored: 1)])
        let testRow = try XCTUnwrap(onTest.referenceTable?.rows.first)
        XCTAssertEqual(Array(testRow.prefix(4)), ["dense", "98.37% (163 errors)", "98.36% (164 errors)", "+0.01 pp"])

        let onValidation = ExperimentReport(experiment: experiment,
                                            results: [try stage("dense", accuracy: 98.5, sparsity: 0, stored: 1, validationImages: 5000)])
        XCTAssertEqual(try XCTUnwrap(onValidation.referenceTable?.rows.first)[1], "98.50% (75 errors)", "counted of the 5,000 held-out images")

        var document = MarkdownDocument(title: "counted")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try onTest.appendSection(to: &document, headingLevel: 3, plotFolder: folder, plotLink: "plots")
        XCTAssertTrue(document.text.contains("What differs from the references' setup:\n\n- trained 10 epochs, not 20"), document.text)
    }
}

/// An experiment whose reference is a paper's count of test errors.
private struct CountedExperiment: Experiment {
    let id = "counted"
    let summary = "counted"
    let corrections: [String] = []
    let references = [ReferenceFigure(stage: "dense", errors: 164, source: "a paper")]
    let setupDifferences = ["trained 10 epochs, not 20"]
    func run(_ context: ExperimentContext) throws -> [StageResult] { [] }
}

/// An experiment with no runs, references or series of its own, for the plot tests.
struct PlainExperiment: Experiment {
    let id = "e"
    let summary = "plain"
    let corrections: [String] = []
    func run(_ context: ExperimentContext) throws -> [StageResult] { [] }
}
