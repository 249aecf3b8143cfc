import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// A pruned model stays pruned through every later command that trains — quantize's QAT,
/// decompose's fine-tuning, distillation into the pruned student — and every command reports
/// the same sparsity for the same file.
final class PrunedChainCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    private func path(_ folder: String) -> String { self.folder.appendingPathComponent(folder).appendingPathComponent("model.safetensors").path }

    /// The command's JSON lines; it must succeed.
    private func stages(_ arguments: [String]) throws -> [[String: Any]] {
        let result = run(arguments + ["--dataset", data, "--json"])
        XCTAssertEqual(result.code, 0, result.errors)
        return try jsonLines(result.output)
    }

    private func evaluatedSparsity(_ file: String) throws -> Double? {
        try stages(["evaluate", "--model", "mnist-net", "--checkpoint", file]).first?["sparsity"] as? Double
    }

    /// The weights of `file` as the model computes with them (a quantized one dequantized).
    private func weights(_ file: String) throws -> [String: [Float]] {
        let (model, _) = try CommonOptions.loadCheckpoint(try ModelZoo.entry("mnist-net"), from: file, allowNonFinite: false)
        return try model.withWeightsAsComputed { Dictionary(uniqueKeysWithValues: model.prunableParameters.map { ($0.name, $0.tensor.scalars) }) }
    }

    /// Of the weights zero in `pruned`, the fraction still zero in `later`, over `layers`.
    private func keptZeros(_ pruned: [String: [Float]], _ later: [String: [Float]], layers: [String]) -> Double {
        var kept = 0, total = 0
        for layer in layers {
            for (before, after) in zip(pruned[layer]!, later[layer]!) where before == 0 {
                total += 1
                if after == 0 { kept += 1 }
            }
        }
        XCTAssertGreaterThan(total, 0)
        return Double(kept) / Double(total)
    }

    func testPruneQuantizeDecomposeDistillKeepsThePrunedWeightsAtZero() throws {
        _ = try stages(["train", "--model", "mnist-net", "--epochs", "1", "--out", folder.appendingPathComponent("dense").path])
        let pruned = try stages(["prune", "--model", "mnist-net", "--checkpoint", path("dense"), "--method", "global-sparsity",
                                 "--sparsity", "0.8", "--out", folder.appendingPathComponent("pruned").path])
        XCTAssertEqual(pruned.last?["sparsity"] as? Double, 80)

        let quantized = try stages(["quantize", "--model", "mnist-net", "--checkpoint", path("pruned"), "--bits", "8", "--qat-epochs", "1",
                                    "--lr", "0.05", "--out", folder.appendingPathComponent("quantized").path])
        XCTAssertEqual(quantized.map { $0["stage"] as? String }, ["fp32", "ptq", "qat"])
        XCTAssertEqual(quantized.first?["sparsity"] as? Double, 80, "the pruned file, as prune reported it")
        XCTAssertEqual(quantized.last?["sparsity"] as? Double, try evaluatedSparsity(path("quantized")))

        let decomposed = try stages(["decompose", "--model", "mnist-net", "--checkpoint", path("pruned"), "--layer", "fc2", "--rank", "5",
                                     "--finetune-epochs", "1", "--lr", "0.05", "--out", folder.appendingPathComponent("decomposed").path])
        XCTAssertEqual(decomposed.first?["sparsity"] as? Double, 80)
        XCTAssertEqual(decomposed.last?["sparsity"] as? Double, try evaluatedSparsity(path("decomposed")))

        let distilled = try stages(["distill", "--teacher", path("dense"), "--teacher-model", "mnist-net", "--student", "mnist-net",
                                    "--student-checkpoint", path("decomposed"), "--epochs", "1", "--lr", "0.05",
                                    "--out", folder.appendingPathComponent("distilled").path])
        XCTAssertEqual(distilled.map { $0["stage"] as? String }, ["teacher", "student-loaded", "student-soft"])
        XCTAssertEqual(distilled[1]["sparsity"] as? Double, decomposed.last?["sparsity"] as? Double)
        XCTAssertEqual(distilled.last?["sparsity"] as? Double, try evaluatedSparsity(path("distilled")))

        let prunedWeights = try weights(path("pruned"))
        let everyLayer = ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"]
        XCTAssertEqual(keptZeros(prunedWeights, try weights(path("quantized")), layers: everyLayer), 1)
        let untouched = ["conv1.weight", "conv2.weight", "fc1.weight"]
        XCTAssertEqual(keptZeros(prunedWeights, try weights(path("decomposed")), layers: untouched), 1)
        XCTAssertEqual(keptZeros(prunedWeights, try weights(path("distilled")), layers: untouched), 1)
    }

    func testAQuantizedStudentCheckpointIsRefused() throws {
        _ = try stages(["train", "--model", "mnist-net", "--epochs", "1", "--out", folder.appendingPathComponent("dense").path])
        _ = try stages(["quantize", "--model", "mnist-net", "--checkpoint", path("dense"), "--out", folder.appendingPathComponent("int8").path])
        let distill = run(["distill", "--teacher", path("dense"), "--teacher-model", "mnist-net", "--student", "mnist-net",
                           "--student-checkpoint", path("int8"), "--dataset", data])
        XCTAssertEqual(distill.code, 1)
        XCTAssertTrue(distill.errors.contains("is a quantized checkpoint; swiftlet distill needs float weights"), distill.errors)
    }
}
