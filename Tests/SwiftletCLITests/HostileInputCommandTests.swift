import Foundation
import XCTest
@testable import SwiftletCLI

/// Flags and files a careful user tried against the release binary (issue #25) that crashed,
/// or were accepted silently: each is now a one-line error with exit code 1, or just works.
final class HostileInputCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }
    private let huge = "\(Int.max)"

    private func trainedCheckpoint(_ model: String = "mnist-net") throws -> String {
        let out = folder.appendingPathComponent("trained-\(model)")
        let train = run(["train", "--model", model, "--dataset", data, "--epochs", "1", "--out", out.path])
        XCTAssertEqual(train.code, 0, train.errors)
        return out.appendingPathComponent("model.safetensors").path
    }

    private func assertOneLineError(_ arguments: [String], _ message: String, line: UInt = #line) {
        let result = run(arguments)
        XCTAssertEqual(result.code, 1, result.errors, line: line)
        XCTAssertEqual(result.errors.split(separator: "\n").last.map(String.init), "error: " + message, line: line)
    }

    func testHugeCountsAreRefusedBeforeAnyWork() {
        assertOneLineError(["prune", "--model", "mnist-net", "--checkpoint", "x", "--method", "sparsity", "--retrain-epochs", "4611686018427387904"],
                           #"--retrain-epochs expects an integer from 0 to 100000, got "4611686018427387904""#)
        assertOneLineError(["prune", "--model", "mnist-net", "--checkpoint", "x", "--method", "sparsity", "--schedule", "agp", "--steps", huge],
                           #"--steps expects an integer from 1 to 100000, got "9223372036854775807""#)
        assertOneLineError(["graph", "--model", "mnist-net", "--batch", huge, "--out", "g.svg"],
                           #"--batch expects an integer from 1 to 1024, got "9223372036854775807""#)
        assertOneLineError(["train", "--lr", "1e300"],
                           #"--lr expects a positive number that a 32-bit float can hold (magnitude 1.4e-45 to 3.4e38), got "1e300""#)
    }

    func testABatchLargerThanTheDataIsOneBatch() throws {
        let most = "100000000"
        let out = folder.appendingPathComponent("one-batch")
        let train = run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "1", "--batch-size", most, "--out", out.path, "--json"])
        XCTAssertEqual(train.code, 0, train.errors)
        let checkpoint = try trainedCheckpoint()
        let quantize = run(["quantize", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--calibrate", most,
                            "--out", folder.appendingPathComponent("q").path])
        XCTAssertEqual(quantize.code, 0, quantize.errors)
    }

    func testAnEmptyTrainingSetIsNamed() throws {
        let empty = folder.appendingPathComponent("empty")
        try writeIDXDataset(to: empty, side: 28, train: 0, test: 3)
        assertOneLineError(["train", "--model", "mnist-net", "--dataset", empty.path, "--out", folder.appendingPathComponent("o").path],
                           "\(empty.path): needs training and test images, has 0 training and 3 test images")
    }

    func testACheckpointOfAnotherModelIsRefusedEvenWhenItsShapesFit() throws {
        // mnist-net's weights are lenet5's shapes with fewer channels, as if structurally pruned.
        let checkpoint = try trainedCheckpoint()
        assertOneLineError(["evaluate", "--model", "lenet5", "--checkpoint", checkpoint, "--dataset", data],
                           "\(checkpoint) holds a mnist-net checkpoint, not lenet5; load it with --model mnist-net")
        assertOneLineError(["distill", "--teacher", checkpoint, "--teacher-model", "lenet5", "--student", "mlp-128", "--dataset", data],
                           "\(checkpoint) holds a mnist-net checkpoint, not lenet5; load it with --model mnist-net")
        XCTAssertEqual(run(["evaluate", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data]).code, 0)
    }
}
