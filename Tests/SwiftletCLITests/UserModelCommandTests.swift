import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// A program of a user's own with the command line and its own model in it: every command
/// works on a model with a skip connection that the library has never heard of.
final class UserModelCommandTests: CommandTestCase {
    /// Stem, one residual block, global average pooling, classifier: 1×28×28 → 10.
    final class SkipNet: Module {
        let stem = Conv2d(1, 8, kernelSize: 3, stride: 2, padding: 1, bias: false)
        let norm = BatchNorm2d(8)
        let conv1 = Conv2d(8, 8, kernelSize: 3, padding: 1)
        let conv2 = Conv2d(8, 8, kernelSize: 3, padding: 1)
        @Child var fc: Module = Linear(8, 10)

        override func forward(_ x: Tensor) throws -> Tensor {
            let h = try norm(stem(x)).relu()
            let y = try (conv2(conv1(h).relu()) + h).relu()
            return try fc(globalAvgPool2d(y).flattened())
        }
    }

    private func runMyTool(_ arguments: [String]) -> (code: Int32, output: String, errors: String) {
        let output = TextBuffer(), errors = TextBuffer()
        let entry = ModelZoo.Entry(name: "skipnet", summary: "a residual net of the test's own", inputShape: [1, 28, 28]) { SkipNet() }
        let code = swiftletTool(name: "my-tool", models: [entry]).run(arguments + ["--threads", "1"],
                                                                     console: Console(output: output, diagnostics: errors))
        return (code, output.text, errors.text)
    }

    func testEveryCommandWorksOnTheUsersModel() throws {
        let trained = folder.appendingPathComponent("trained").path
        let train = runMyTool(["train", "--model", "skipnet", "--dataset", data, "--epochs", "1", "--out", trained])
        XCTAssertEqual(train.code, 0, train.errors)
        let checkpoint = trained + "/model.safetensors"

        let prune = runMyTool(["prune", "--model", "skipnet", "--checkpoint", checkpoint, "--dataset", data, "--method", "filters",
                               "--sparsity", "0.5", "--timing-rounds", "1", "--out", folder.appendingPathComponent("thin").path])
        XCTAssertEqual(prune.code, 0, prune.errors)
        // The stem and the block's output are one group (the skip connection), conv1's output another: half of each leaves.
        XCTAssertTrue(prune.output.contains("MACs per image: 239,984 → 63,544"), prune.output)
        let evaluate = runMyTool(["evaluate", "--model", "skipnet", "--checkpoint", folder.appendingPathComponent("thin/model.safetensors").path,
                                  "--dataset", data, "--json"])
        XCTAssertEqual(evaluate.code, 0, evaluate.errors)
        // stem 4·9, norm 2·4, conv1 4·4·9 + 4, conv2 4·4·9 + 4, fc 10·4 + 10.
        XCTAssertEqual(try jsonLines(evaluate.output).first?["params"] as? Int, 36 + 8 + 148 + 148 + 50)

        let quantize = runMyTool(["quantize", "--model", "skipnet", "--checkpoint", checkpoint, "--dataset", data, "--bits", "8",
                                  "--activations", "--calibrate", "64", "--out", folder.appendingPathComponent("int8").path, "--json"])
        XCTAssertEqual(quantize.code, 0, quantize.errors)
        XCTAssertEqual(try jsonLines(quantize.output).last?["bits"] as? Int, 8)

        let decompose = runMyTool(["decompose", "--model", "skipnet", "--checkpoint", checkpoint, "--dataset", data, "--layer", "fc",
                                   "--rank", "4", "--out", folder.appendingPathComponent("lowrank").path])
        XCTAssertEqual(decompose.code, 0, decompose.errors)
        let plain = runMyTool(["decompose", "--model", "skipnet", "--checkpoint", checkpoint, "--dataset", data, "--layer", "conv1",
                               "--rank", "4", "--out", folder.appendingPathComponent("lowrank2").path])
        XCTAssertEqual(plain.code, 1)
        XCTAssertTrue(plain.errors.contains("declare it `@Child var conv1: Module`"), plain.errors)

        let help = runMyTool(["train", "--help"])
        XCTAssertTrue(help.output.contains("skipnet"), help.output)
        XCTAssertTrue(help.output.hasPrefix("Usage: my-tool train"), help.output)
    }

    func testBenchMeasuresTheUsersModel() throws {
        let bench = runMyTool(["bench", "--only", "train", "--models", "skipnet", "--json"])
        XCTAssertEqual(bench.code, 0, bench.errors)
        let line = try XCTUnwrap(jsonLines(bench.output).first)
        XCTAssertEqual(line["bench"] as? String, "train")
        XCTAssertEqual(line["model"] as? String, "skipnet")
        XCTAssertGreaterThan(line["img_per_s"] as? Int ?? 0, 0)
    }
}
