import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// `swiftlet compress` end to end on the tiny IDX dataset: the budget met by the written
/// file, `evaluate` reading it, and one-line errors for bad budgets.
final class CompressCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    private func trainedCheckpoint() throws -> String {
        let trained = folder.appendingPathComponent("trained")
        let train = run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "1", "--out", trained.path])
        XCTAssertEqual(train.code, 0, train.errors)
        return trained.appendingPathComponent("model.safetensors").path
    }

    func testCompressMeetsTheBudgetInTheWrittenFileAndEvaluateReadsIt() throws {
        let checkpoint = try trainedCheckpoint()
        for budget in ["size=12x", "flops=2x", "latency=100ms"] {
            let out = folder.appendingPathComponent("compressed-\(budget)")
            let compress = run(["compress", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--budget", budget,
                                "--validation", "32", "--epochs", "1", "--out", out.path, "--json"])
            XCTAssertEqual(compress.code, 0, compress.errors)
            let summary = try XCTUnwrap(jsonLines(compress.output).last)
            let written = out.appendingPathComponent("model.safetensors")
            let stored = try SafeTensorsFile.read(from: written).tensors.values.reduce(0) { $0 + $1.bytes.count }
            XCTAssertEqual(summary["stored_bytes"] as? Int, stored, budget)
            let limit = try XCTUnwrap(summary["limit"] as? Int)
            switch budget.prefix(while: { $0 != "=" }) {
            case "size": XCTAssertLessThanOrEqual(stored, limit, budget)
            case "flops": XCTAssertLessThanOrEqual(try XCTUnwrap(summary["flops"] as? Int), limit, budget)
            default:
                XCTAssertEqual(limit, 100_000_000, "nanoseconds")
                XCTAssertLessThanOrEqual(try XCTUnwrap(summary["latency_us"] as? Double), 100_000, budget)
                XCTAssertGreaterThan(try XCTUnwrap(summary["predicted_latency_us"] as? Double), 0, budget)
            }
            XCTAssertEqual(summary["latency_us"] == nil, !budget.hasPrefix("latency"), "timed for a latency budget only")
            if !budget.hasPrefix("latency") {
                // A latency allocation depends on the timings; one with a sparse layer keeps other positions after
                // fine-tuning than the profile's mask, so its relative indices may take a few bytes more or less.
                XCTAssertLessThanOrEqual(stored, try XCTUnwrap(summary["predicted_bytes"] as? Int), budget)
            }

            let evaluate = run(["evaluate", "--model", "mnist-net", "--checkpoint", written.path, "--dataset", data, "--json"])
            XCTAssertEqual(evaluate.code, 0, evaluate.errors)
            let evaluated = try XCTUnwrap(jsonLines(evaluate.output).first)
            XCTAssertEqual(evaluated["accuracy"] as? Double, summary["test_accuracy"] as? Double, budget)
            XCTAssertEqual(evaluated["size_bytes"] as? Int, stored, budget)
        }
    }

    func testBadBudgetsAreOneLineErrors() throws {
        let checkpoint = try trainedCheckpoint()
        for (budget, expected) in [("size=0x", "budget \"size=0x\""), ("size=abc", "budget \"size=abc\""), ("speed=2x", "unknown budget"),
                                   ("size=1000x", "the smallest allocation"), ("latency=1us", "the smallest allocation")] {
            let result = run(["compress", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--budget", budget,
                              "--validation", "32", "--epochs", "1", "--out", folder.appendingPathComponent("bad").path])
            XCTAssertEqual(result.code, 1, budget)
            // An unreachable budget is known after profiling, whose progress bar is on stderr before it.
            let message = result.errors.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(message.hasPrefix("error: ") && message.contains(expected), "\(budget): \(result.errors)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad/model.safetensors").path), budget)
        }
        let missing = run(["compress", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.errors.contains("--budget"), missing.errors)
    }
}
