import Foundation
import XCTest
@testable import SwiftletCLI

/// A diverging run stops with a one-line error naming the epoch, the step and the
/// learning rate, exits 1, and writes no checkpoint; one that ends at chance level says so.
final class DivergenceCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    func testAHugeLearningRateStopsTrainingWithoutWritingACheckpoint() throws {
        for optimizer in ["sgd", "adam"] {
            let out = folder.appendingPathComponent("diverged-\(optimizer)")
            let train = run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "3", "--lr", "1e30",
                             "--optimizer", optimizer, "--out", out.path, "--json"])
            XCTAssertEqual(train.code, 1)
            XCTAssertEqual(train.output, "", "no stage finished")
            let message = try XCTUnwrap(train.errors.split(separator: "\n").last)
            XCTAssertTrue(message.hasPrefix("error: training diverged at epoch 1, step ") && message.contains("the loss is")
                          && message.hasSuffix("lower the learning rate (it was 1e+30)"), String(message))
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("optimizer.safetensors").path))
        }
    }

    /// Too high a learning rate can kill the model while every loss stays finite: the run
    /// ends normally, but says so.
    func testARunThatEndsAtChanceLevelIsAWarningAndAHealthyRunIsNot() throws {
        let dead = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "2", "--lr", "100",
                        "--out", folder.appendingPathComponent("dead").path, "--json"])
        XCTAssertEqual(dead.code, 0, dead.errors)
        XCTAssertTrue(dead.errors.contains("warning: trained: epoch 2 ended at ") && dead.errors.contains("chance level for 10 classes"),
                      dead.errors)
        let healthy = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "2",
                           "--out", folder.appendingPathComponent("healthy").path, "--json"])
        XCTAssertEqual(healthy.code, 0, healthy.errors)
        XCTAssertFalse(healthy.errors.contains("warning:"), healthy.errors)
    }

    func testQuantizationAwareTrainingStopsToo() throws {
        let trained = folder.appendingPathComponent("trained")
        XCTAssertEqual(run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "1", "--out", trained.path]).code, 0)
        let out = folder.appendingPathComponent("qat")
        let quantize = run(["quantize", "--model", "mnist-net", "--checkpoint", trained.appendingPathComponent("model.safetensors").path,
                            "--dataset", data, "--qat-epochs", "2", "--lr", "1e30", "--out", out.path])
        XCTAssertEqual(quantize.code, 1)
        XCTAssertTrue(quantize.errors.contains("error: training diverged at epoch 1, step "), quantize.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
    }
}
