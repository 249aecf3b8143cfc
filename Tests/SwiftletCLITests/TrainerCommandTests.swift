import Datasets
import Foundation
import Swiftlet
import SwiftletKernels
import XCTest

/// `swiftlet train` runs on the library's `Trainer`: a script that uses `Trainer` directly
/// gets the command's files byte for byte, and every training flag changes what it should.
final class TrainerCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    private func train(_ name: String, epochs: Int = 2, _ extra: [String] = []) -> (code: Int32, output: String, errors: String, folder: URL) {
        let out = folder.appendingPathComponent(name)
        let result = run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "\(epochs)", "--out", out.path] + extra)
        return (result.code, result.output, result.errors, out)
    }

    private func bytes(_ folder: URL, _ name: String = Trainer.modelFile) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(name))
    }

    /// The README's way of training, with `Trainer`: the same seed, loader and optimizer as the
    /// command's defaults give the same model and optimizer files.
    func testAScriptUsingTrainerReproducesTrainBitForBit() throws {
        let command = train("command")
        XCTAssertEqual(command.code, 0, command.errors)

        let savedThreads = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedThreads }
        let dataset = try loadDataset(data)
        let loader = try BatchLoader(dataset.train, batchSize: 64, seed: 0, normalization: .centered(channels: 1))
        GlobalRandom.seed(0)
        let model = try ModelZoo.entry("mnist-net").make()
        let trainer = Trainer(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9))
        try trainer.fit(epochs: 2, batchCount: loader.batchCount, batches: loader.labeledBatches(epoch:))
        let metadata = ["experiment": "train", "stage": "trained", "seed": "0", "model": "mnist-net"]
        let script = try trainer.checkpointFiles(metadata: metadata)
        XCTAssertEqual(Data(try XCTUnwrap(script[Trainer.modelFile])), try bytes(command.folder))
        XCTAssertEqual(Data(try XCTUnwrap(script[Trainer.optimizerFile])), try bytes(command.folder, Trainer.optimizerFile))
    }

    /// Each flag changes the trained weights (a flag that was ignored would leave them alone).
    func testEachTrainingFlagChangesTheWeights() throws {
        let plain = train("plain")
        XCTAssertEqual(plain.code, 0, plain.errors)
        let reference = try bytes(plain.folder)
        for flags in [["--weight-decay", "0.05"], ["--lr-schedule", "step"], ["--lr-schedule", "cosine"], ["--lr-schedule", "one-cycle"],
                      ["--warmup", "1"], ["--augment", "shift"], ["--augment", "crop-flip"], ["--clip-norm", "0.01"],
                      ["--validation", "32"], ["--optimizer", "adam", "--weight-decay", "0.05"]] {
            let run = train(flags.joined(separator: "_"), flags)
            XCTAssertEqual(run.code, 0, "\(flags): \(run.errors)")
            XCTAssertNotEqual(try bytes(run.folder), reference, "\(flags) left the weights as they were")
        }
        let adam = train("adam", ["--optimizer", "adam"])
        XCTAssertNotEqual(try bytes(adam.folder), try bytes(folder.appendingPathComponent("--optimizer_adam_--weight-decay_0.05")))
    }

    func testValidationIsReportedEveryEpochAndTheTestSetAtTheEnd() throws {
        let run = train("validated", ["--validation", "32"])
        XCTAssertEqual(run.code, 0, run.errors)
        XCTAssertEqual(run.errors.components(separatedBy: "val ").count - 1, 2, run.errors)
        XCTAssertTrue(run.output.contains("mnist-net: test accuracy"), run.output)
        let tooMany = train("too-many", ["--validation", "256"])
        XCTAssertEqual(tooMany.code, 1)
        XCTAssertTrue(tooMany.errors.contains("cannot hold out 256 validation images from 256 training images"), tooMany.errors)
    }

    /// With a learning rate too small to change any prediction, the validation accuracy never
    /// improves on epoch 1's: patience 2 stops after epoch 3, and a resume stays stopped.
    func testEarlyStoppingStopsWhenValidationAccuracyStalls() throws {
        let run = train("stalled", epochs: 10, ["--lr", "1e-12", "--validation", "32", "--early-stop", "2"])
        XCTAssertEqual(run.code, 0, run.errors)
        XCTAssertTrue(run.errors.contains("early stopping after epoch 3: no better validation accuracy for 2 epochs"), run.errors)
        let state = try TrainerState(decoding: [UInt8](bytes(run.folder, Trainer.stateFile)), file: "")
        XCTAssertEqual(state.epochsCompleted, 3)
        let resumed = self.run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "10", "--resume", run.folder.path,
                                "--lr", "1e-12", "--validation", "32", "--early-stop", "2"])
        XCTAssertEqual(resumed.code, 0, resumed.errors)
        XCTAssertEqual(try TrainerState(decoding: [UInt8](bytes(run.folder, Trainer.stateFile)), file: "").epochsCompleted, 3)
    }

    func testConflictingTrainingFlagsAreRefused() {
        let noValidation = train("no-validation", ["--early-stop", "2"])
        XCTAssertEqual(noValidation.code, 1)
        XCTAssertEqual(noValidation.errors, "error: --early-stop 2 needs --validation N to judge improvement on, got no --validation\n")
        let warmOneCycle = train("warm-one-cycle", ["--warmup", "1", "--lr-schedule", "one-cycle"])
        XCTAssertEqual(warmOneCycle.code, 1)
        XCTAssertEqual(warmOneCycle.errors, "error: --warmup 1 cannot be combined with one-cycle, which warms up itself, got --lr-schedule one-cycle\n")
    }

    /// A schedule spans the run's epochs, so a resumed scheduled run must repeat --epochs.
    func testAScheduledRunMustBeResumedWithItsEpochCount() throws {
        let run = train("scheduled", epochs: 1, ["--lr-schedule", "cosine"])
        XCTAssertEqual(run.code, 0, run.errors)
        let resumed = self.run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "2", "--resume", run.folder.path,
                                "--lr-schedule", "cosine"])
        XCTAssertEqual(resumed.code, 1)
        XCTAssertEqual(resumed.errors, "error: --epochs 2 differs from the run being resumed in \(run.folder.path) (1); repeat the run's options\n")
    }
}
