import Foundation
import XCTest
@testable import SwiftletCLI

/// `swiftlet distill` and `swiftlet decompose` end to end on a tiny IDX dataset the test
/// writes itself, and their one-line errors.
final class DistillDecomposeCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    /// A lenet300 checkpoint trained 2 epochs on the tiny dataset.
    private func trainedCheckpoint() throws -> String {
        let out = folder.appendingPathComponent("teacher")
        let train = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "2", "--out", out.path, "--json"])
        XCTAssertEqual(train.code, 0, train.errors)
        return out.appendingPathComponent("model.safetensors").path
    }

    func testDistillSoftAndHardWithACachedTeacher() throws {
        let teacher = try trainedCheckpoint()
        for (flags, stage) in [([String](), "student-soft"), (["--hard"], "student-hard")] {
            let out = folder.appendingPathComponent(stage)
            let distill = run(["distill", "--teacher", teacher, "--teacher-model", "lenet300", "--student", "mlp-128", "--dataset", data,
                               "--epochs", "4", "--lr", "0.05", "--cache-teacher", "--out", out.path, "--json"] + flags)
            XCTAssertEqual(distill.code, 0, distill.errors)
            let lines = try jsonLines(distill.output)
            XCTAssertEqual(lines.map { $0["stage"] as? String }, ["teacher", stage])
            XCTAssertGreaterThan(lines.last?["accuracy"] as? Double ?? 0, 50, "the synthetic classes are easy")
            XCTAssertEqual(lines.last?["params"] as? Int, 784 * 128 + 128 + 128 * 10 + 10)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
        }
    }

    func testDecomposeShrinksTheLayerAndMeasuresSpeedAndItsCheckpointLoadsBack() throws {
        let checkpoint = try trainedCheckpoint()
        let out = folder.appendingPathComponent("low")
        let decompose = run(["decompose", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--layer", "fc1",
                             "--rank", "5", "--out", out.path, "--json"])
        XCTAssertEqual(decompose.code, 0, decompose.errors)
        let lines = try jsonLines(decompose.output)
        XCTAssertEqual(lines.map { $0["stage"] as? String }, ["loaded", "decomposed"])
        // fc1 784×300 → 784×5 + 5×300: the rest of LeNet-300-100 is unchanged.
        XCTAssertEqual((lines[0]["params"] as? Int ?? 0) - (lines[1]["params"] as? Int ?? 0), 784 * 300 - 5 * (784 + 300))
        XCTAssertNil(lines[0]["speedup"])
        XCTAssertGreaterThan(lines[1]["speedup"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(lines[1]["flops_reduction"] as? Double ?? 0, 3)

        let evaluate = run(["evaluate", "--model", "lenet300", "--checkpoint", out.appendingPathComponent("model.safetensors").path,
                            "--dataset", data, "--json"])
        XCTAssertEqual(evaluate.code, 0, evaluate.errors)
        let evaluated = try XCTUnwrap(try jsonLines(evaluate.output).first)
        XCTAssertEqual(evaluated["params"] as? Int, lines[1]["params"] as? Int)
        XCTAssertEqual(evaluated["accuracy"] as? Double, lines[1]["accuracy"] as? Double)
    }

    func testMistakesAreOneLineErrors() throws {
        let both = run(["decompose", "--model", "lenet300", "--checkpoint", "x", "--layer", "fc1", "--rank", "4", "--energy", "0.9"])
        XCTAssertEqual(both.code, 1)
        XCTAssertEqual(both.errors, "error: swiftlet decompose needs exactly one of --rank R and --energy E\n")

        let checkpoint = try trainedCheckpoint()
        let unknown = run(["decompose", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--layer", "fc9",
                           "--rank", "4", "--out", folder.path])
        XCTAssertEqual(unknown.code, 1)
        XCTAssertTrue(unknown.errors.contains("fc9") && unknown.errors.contains("fc1, fc2, fc3"), unknown.errors)

        let tooHigh = run(["decompose", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--layer", "fc3",
                           "--rank", "11", "--out", folder.path])
        XCTAssertEqual(tooHigh.code, 1)
        XCTAssertTrue(tooHigh.errors.contains("rank 11") && tooHigh.errors.contains("between 1 and 10"), tooHigh.errors)

        let shapes = run(["distill", "--teacher", checkpoint, "--teacher-model", "lenet300", "--student", "cifar-student", "--dataset", data])
        XCTAssertEqual(shapes.code, 1)
        XCTAssertTrue(shapes.errors.contains("different images"), shapes.errors)

        let missing = run(["distill", "--teacher-model", "lenet300", "--student", "mlp-128"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.errors.contains("--teacher"), missing.errors)
    }
}
