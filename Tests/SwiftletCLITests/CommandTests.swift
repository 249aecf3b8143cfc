import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// The commands end to end on a tiny IDX dataset the test writes itself: exit codes, files
/// written, JSON lines, and one-line errors for user mistakes.
final class CommandTests: CommandTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try writeIDXDataset(to: folder.appendingPathComponent("small"), side: 16, train: 8, test: 8)
    }

    func testTrainEvaluatePruneOnAnIDXFolder() throws {
        let trained = folder.appendingPathComponent("trained")
        let train = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "2", "--out", trained.path, "--json", "--threads", "1"])
        XCTAssertEqual(train.code, 0, train.errors)
        let trainLine = try XCTUnwrap(jsonLines(train.output).first)
        XCTAssertEqual(trainLine["stage"] as? String, "trained")
        XCTAssertGreaterThan(trainLine["accuracy"] as? Double ?? 0, 50, "the synthetic classes are easy")
        let checkpoint = trained.appendingPathComponent("model.safetensors").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint))

        let evaluate = run(["evaluate", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--json"])
        XCTAssertEqual(evaluate.code, 0, evaluate.errors)
        XCTAssertEqual(try jsonLines(evaluate.output).first?["accuracy"] as? Double, trainLine["accuracy"] as? Double)

        let pruned = folder.appendingPathComponent("pruned")
        let prune = run(["prune", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--method", "sparsity",
                         "--sparsity", "0.9", "--retrain-epochs", "1", "--lr-schedule", "cosine", "--out", pruned.path, "--json"])
        XCTAssertEqual(prune.code, 0, prune.errors)
        let stages = try jsonLines(prune.output)
        XCTAssertEqual(stages.map { $0["stage"] as? String }, ["loaded", "pruned", "retrained"])
        XCTAssertEqual(stages.last?["sparsity"] as? Double ?? 0, 90, accuracy: 0.1)
        XCTAssertLessThan(stages.last?["size_bytes"] as? Int ?? .max, stages.first?["size_bytes"] as? Int ?? 0)
    }

    func testQuantizeWritesACheckpointThatEvaluateRunsInIntegers() throws {
        let trained = folder.appendingPathComponent("trained")
        XCTAssertEqual(run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "1", "--out", trained.path, "--threads", "1"]).code, 0)
        let checkpoint = trained.appendingPathComponent("model.safetensors").path
        let quantized = folder.appendingPathComponent("quantized")
        let quantize = run(["quantize", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--bits", "8",
                            "--activations", "--calibrate", "64", "--qat-epochs", "1", "--out", quantized.path, "--json", "--threads", "1"])
        XCTAssertEqual(quantize.code, 0, quantize.errors)
        let stages = try jsonLines(quantize.output)
        XCTAssertEqual(stages.map { $0["stage"] as? String }, ["fp32", "ptq", "qat"])
        XCTAssertEqual(stages[2]["bits"] as? Int, 8)
        let output = quantized.appendingPathComponent("model.safetensors").path
        let stored = try SafeTensorsFile.read(from: URL(fileURLWithPath: output)).tensors.values.reduce(0) { $0 + $1.bytes.count }
        XCTAssertEqual(stages[2]["size_bytes"] as? Int, stored, "the reported size is the stored tensor bytes")
        XCTAssertLessThan(stored * 100, 26 * (stages[0]["size_bytes"] as? Int ?? 0))

        let evaluate = run(["evaluate", "--model", "mnist-net", "--checkpoint", output, "--dataset", data, "--json"])
        XCTAssertEqual(evaluate.code, 0, evaluate.errors)
        let evaluated = try XCTUnwrap(jsonLines(evaluate.output).first)
        XCTAssertEqual(evaluated["accuracy"] as? Double, stages[2]["accuracy"] as? Double, "the same integer pipeline")
        XCTAssertEqual(evaluated["size_bytes"] as? Int, stored)

        let prune = run(["prune", "--model", "mnist-net", "--checkpoint", output, "--dataset", data])
        XCTAssertEqual(prune.code, 1)
        XCTAssertTrue(prune.errors.contains("quantized checkpoint"), prune.errors)
        let oneBit = run(["quantize", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--bits", "1"])
        XCTAssertEqual(oneBit.code, 1)
        XCTAssertTrue(oneBit.errors.contains("--scheme binary"), oneBit.errors)
    }

    func testUserMistakesAreOneLineErrors() throws {
        let small = folder.appendingPathComponent("small").path
        let wrongShape = run(["train", "--model", "lenet300", "--dataset", small, "--epochs", "1", "--out", folder.path])
        XCTAssertEqual(wrongShape.code, 1)
        XCTAssertTrue(wrongShape.errors.contains("1×28×28") && wrongShape.errors.contains("1×16×16"), wrongShape.errors)

        let missing = run(["evaluate", "--model", "mnist-net", "--checkpoint", folder.appendingPathComponent("nope.safetensors").path,
                           "--dataset", small])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.errors.contains("nope.safetensors"), missing.errors)

        let badDataset = run(["train", "--model", "lenet300", "--dataset", folder.appendingPathComponent("absent").path])
        XCTAssertEqual(badDataset.code, 1)
        XCTAssertTrue(badDataset.errors.contains("absent"), badDataset.errors)

        for arguments in [["reproduce", "no-such-experiment"], ["train", "--model", "resnet"], ["bench", "--only", "gpu"],
                          ["bench", "--only", "decompose", "--models", "resnet"]] {
            let result = run(arguments)
            XCTAssertEqual(result.code, 1, "\(arguments)")
            XCTAssertEqual(result.errors.filter { $0 == "\n" }.count, 1, result.errors)
            XCTAssertTrue(result.errors.hasPrefix("error: "), result.errors)
        }
        XCTAssertTrue(run(["bench", "--only", "decompose", "--models", "resnet"]).errors
            .hasPrefix("error: --models expects one of"), "names the models that can be measured")
    }

    /// The main job itself, one epoch per training stage on the shipped MNIST.
    func testMainJobRunsEndToEnd() throws {
        let out = folder.appendingPathComponent("main-job")
        let result = run(["reproduce", "seed000-mnist-prune", "--epochs", "1", "--out", out.path, "--json"])
        XCTAssertEqual(result.code, 0, result.errors)
        let lines = try jsonLines(result.output)
        XCTAssertEqual(lines.map { $0["stage"] as? String }, ["trained", "pruned", "retrained"])
        XCTAssertGreaterThan(lines[0]["accuracy"] as? Double ?? 0, 97)
        XCTAssertEqual(lines[1]["sparsity"] as? Double, lines[2]["sparsity"] as? Double, "masks hold through retraining")
        XCTAssertGreaterThan(lines[1]["sparsity"] as? Double ?? 0, 50)
        for key in ["experiment", "accuracy", "sparsity", "params", "size_bytes", "flops", "seconds"] {
            XCTAssertNotNil(lines[2][key], key)
        }
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Corrections to the source document") && report.contains("| retrained |"), report)
        for stage in ["trained", "pruned", "retrained"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(stage).safetensors").path))
        }
    }

    /// `--validation N`: every stage is measured on the held-out training images and says so,
    /// in the JSON lines and in the report.
    func testValidationRunsSayWhatTheyMeasuredOn() throws {
        let out = folder.appendingPathComponent("validation")
        let result = run(["reproduce", "seed000-mnist-prune", "--epochs", "1", "--validation", "10000", "--out", out.path, "--json"])
        XCTAssertEqual(result.code, 0, result.errors)
        let lines = try jsonLines(result.output)
        XCTAssertEqual(lines.map { $0["validation_images"] as? Int }, [10000, 10000, 10000])
        XCTAssertGreaterThan(lines[0]["accuracy"] as? Double ?? 0, 97)
        XCTAssertTrue(result.errors.contains("trained: validation accuracy"), result.errors)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("the last 10000 training images, held out of training (not the test set)"), report)

        let tooMany = run(["reproduce", "seed000-mnist-prune", "--validation", "60000", "--out", out.path])
        XCTAssertEqual(tooMany.code, 1)
        XCTAssertTrue(tooMany.errors.contains("cannot hold out 60000 validation images from 60000 training images"), tooMany.errors)
    }

    /// `--base FILE` only where an experiment has a base model to skip, and only a readable file.
    func testReproduceRefusesABaseItCannotUse() throws {
        let file = folder.appendingPathComponent("base.safetensors")
        try ModelZoo.entry("mnist-net").make().save(to: file)
        let noBase = run(["reproduce", "seed000-mnist-prune", "--base", file.path, "--out", folder.appendingPathComponent("r1").path])
        XCTAssertEqual(noBase.code, 1)
        XCTAssertTrue(noBase.errors.contains("--base expects one experiment that starts from a base model (")
                      && noBase.errors.contains("auto-mnist-net") && noBase.errors.contains("resnet20-cifar-compress"), noBase.errors)
        XCTAssertEqual(run(["reproduce", "all", "--base", file.path]).code, 1)
        let missing = run(["reproduce", "resnet20-cifar-compress", "--base", "/no/such/file.safetensors"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.errors.contains("a readable checkpoint for the stage trained"), missing.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("r1").path), "nothing written")
    }

    func testReproduceListsTheMainJob() {
        let list = run(["reproduce", "--list"])
        XCTAssertEqual(list.code, 0)
        XCTAssertTrue(list.output.contains("seed000-mnist-prune"))
        XCTAssertTrue(run(["reproduce", "--help"]).output.contains("--epochs"))
    }
}
