import Foundation
import XCTest
@testable import SwiftletCLI

/// `swiftlet prune` schedules and structured removal, and `swiftlet sensitivity`, end to end
/// on a tiny IDX dataset the test writes itself.
final class PruneCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }
    override var datasetImages: (train: Int, test: Int) { (128, 30) }

    /// A checkpoint of `model` trained one epoch on the tiny data.
    private func trainedCheckpoint(_ model: String) throws -> String {
        let out = folder.appendingPathComponent("trained-\(model)")
        let train = run(["train", "--model", model, "--dataset", data, "--epochs", "1", "--out", out.path, "--json"])
        XCTAssertEqual(train.code, 0, train.errors)
        return out.appendingPathComponent("model.safetensors").path
    }

    func testGradualAndIterativeSchedulesReachTheTargetSparsity() throws {
        let checkpoint = try trainedCheckpoint("lenet300")
        let cases: [(schedule: String, extra: [String], stages: [String])] = [
            // agp: steps + 1 pruning epochs (the first at s = 0), then the retraining epochs.
            ("agp", ["--steps", "2", "--retrain-epochs", "1"], ["loaded", "epoch-1", "epoch-2", "epoch-3", "retrained"]),
            // agp every optimizer step (2 batches per epoch): the cubic over the first 2 epochs' 4 steps, s_f at step 4.
            ("agp", ["--steps", "2", "--frequency", "1", "--retrain-epochs", "1"], ["loaded", "epoch-1", "epoch-2", "retrained"]),
            ("rounds", ["--steps", "2", "--retrain-epochs", "1"], ["loaded", "epoch-1", "retrained"]),
        ]
        for (schedule, extra, expectedStages) in cases {
            let result = run(["prune", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--method", "global-sparsity",
                              "--sparsity", "0.8", "--schedule", schedule, "--out", folder.appendingPathComponent(schedule + extra.joined()).path,
                              "--json"] + extra)
            XCTAssertEqual(result.code, 0, result.errors)
            let stages = try jsonLines(result.output)
            XCTAssertEqual(stages.map { $0["stage"] as? String }, expectedStages, schedule)
            let sparsities = stages.compactMap { $0["sparsity"] as? Double }
            XCTAssertEqual(sparsities.last ?? 0, 80, accuracy: 0.1, schedule)
            XCTAssertEqual(sparsities, sparsities.sorted(), "\(schedule): masks only grow")
            XCTAssertTrue(sparsities.contains { $0 > 1 && $0 < 79 }, "\(schedule) prunes in steps: \(sparsities)")
        }
    }

    func testFilterRemovalSavesASmallerModelThatLoadsBack() throws {
        let checkpoint = try trainedCheckpoint("mnist-net")
        let out = folder.appendingPathComponent("filters")
        let prune = run(["prune", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--method", "filters",
                         "--sparsity", "0.5", "--norm", "l2", "--timing-rounds", "1", "--out", out.path])
        XCTAssertEqual(prune.code, 0, prune.errors)
        // Half the filters of conv1 and conv2 leave conv1 5·25 + 5, conv2 10·5·25 + 10, and fc1
        // 50·160 + 50 (the features of 10 conv2 channels), beside fc2's 510; the MACs per image
        // fall to 5·25·24² + 10·5·25·8² + 50·160 + 500.
        XCTAssertTrue(prune.output.contains("parameters: 21,840 → 9,950 (45.56%), MACs per image: 480,500 → 160,500"), prune.output)
        XCTAssertTrue(prune.output.contains("× faster"), prune.output)

        let pruned = out.appendingPathComponent("model.safetensors").path
        let evaluate = run(["evaluate", "--model", "mnist-net", "--checkpoint", pruned, "--dataset", data, "--json"])
        XCTAssertEqual(evaluate.code, 0, evaluate.errors)
        let line = try XCTUnwrap(jsonLines(evaluate.output).first)
        // fc1 loses the inputs of the 10 removed conv2 channels: 50·160 + 50.
        XCTAssertEqual(line["params"] as? Int, 130 + 1260 + 50 * 160 + 50 + 50 * 10 + 10)
    }

    func testScheduleAndMethodMistakesAreOneLineErrors() throws {
        let checkpoint = try trainedCheckpoint("lenet300")
        let mistakes: [(arguments: [String], mentions: String)] = [
            (["--method", "mean-abs", "--schedule", "agp"], "--schedule agp needs --method sparsity"),
            (["--method", "sparsity", "--schedule", "rounds"], "--retrain-epochs"),
            (["--method", "filters"], "model lenet300 has no convolution filters that can be removed"),
            (["--method", "mean-abs", "--criterion", "taylor"], "--criterion taylor ranks weights for --method sparsity"),
            (["--method", "sparsity", "--frequency", "10"], "--frequency 10 sets how often --schedule agp prunes, got --schedule one-shot"),
        ]
        for (arguments, mentions) in mistakes {
            let result = run(["prune", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data,
                              "--out", folder.appendingPathComponent("bad").path] + arguments)
            XCTAssertEqual(result.code, 1, "\(arguments)")
            XCTAssertTrue(result.errors.hasPrefix("error: ") && result.errors.contains(mentions), result.errors)
            XCTAssertEqual(result.errors.filter { $0 == "\n" }.count, 1, result.errors)
        }
    }

    func testSensitivityPrintsOneCurvePerLayerAndPlotsIt() throws {
        let checkpoint = try trainedCheckpoint("lenet300")
        let out = folder.appendingPathComponent("sensitivity")
        let result = run(["sensitivity", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data,
                          "--sparsities", "0.5,1", "--out", out.path, "--json"])
        XCTAssertEqual(result.code, 0, result.errors)
        let lines = try jsonLines(result.output)
        XCTAssertEqual(lines.map { $0["stage"] as? String }, ["fc1.weight", "fc1.weight", "fc2.weight", "fc2.weight", "fc3.weight", "fc3.weight"])
        // A layer with every weight removed makes the output constant: one class of ten (3 images each) is right.
        for line in lines where line["layer_sparsity"] as? Double == 100 {
            XCTAssertLessThanOrEqual(line["accuracy"] as? Double ?? 100, 10.0 + 1e-9, "\(line)")
        }
        let svg = try String(contentsOf: out.appendingPathComponent("sensitivity.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("fc3.weight"))

        let bad = run(["sensitivity", "--model", "lenet300", "--checkpoint", checkpoint, "--dataset", data, "--sparsities", "0.5,x"])
        XCTAssertEqual(bad.code, 1)
        XCTAssertTrue(bad.errors.contains("--sparsities"), bad.errors)
    }
}
