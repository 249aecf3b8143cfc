import Foundation
import XCTest
import SwiftletFiles
#if canImport(Glibc)
import Glibc
#endif

/// Commands check and lock their output folder before any work, never write over what they
/// read, and refuse inputs that are not regular files.
final class OutputSafetyCommandTests: CommandTestCase {
    private func trainedCheckpoint() throws -> URL {
        let out = folder.appendingPathComponent("trained")
        XCTAssertEqual(run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "1", "--out", out.path, "--threads", "1"]).code, 0)
        return out.appendingPathComponent("model.safetensors")
    }

    /// Two commands writing the same --out interleaved silently.
    func testASecondWriterIsRefusedBeforeAnyWork() throws {
        let out = folder.appendingPathComponent("busy")
        let first = try OutputFolder(claiming: out)
        defer { first.release() }
        let second = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "1", "--out", out.path])
        XCTAssertEqual(second.code, 1)
        XCTAssertEqual(second.errors, "error: cannot write to \(out.path): another command is writing to this folder; wait for it to finish or choose another output folder\n")
    }

    /// `--out` that could not be written failed only after training.
    func testAnOutputFolderThatCannotBeWrittenFailsBeforeTraining() throws {
        let blocker = folder.appendingPathComponent("blocker")
        try writeFileAtomically([1], to: blocker)
        let out = blocker.appendingPathComponent("run")
        let result = run(["train", "--model", "lenet300", "--dataset", data, "--epochs", "1", "--out", out.path])
        XCTAssertEqual(result.code, 1)
        XCTAssertEqual(result.errors, "error: cannot create the folder \(blocker.path): a file of that name is in the way\n")
    }

    /// `evaluate --probe X` overwrote any file X, the checkpoint included.
    func testNoCommandWritesOverItsInputs() throws {
        let checkpoint = try trainedCheckpoint()
        let before = try Data(contentsOf: checkpoint)
        let probe = run(["evaluate", "--model", "lenet300", "--checkpoint", checkpoint.path, "--dataset", data, "--probe", checkpoint.path])
        XCTAssertEqual(probe.errors, "error: cannot write \(checkpoint.path): it is the input \(checkpoint.path), which --probe would overwrite; choose another file\n")
        let export = run(["export", "--model", "lenet300", "--checkpoint", checkpoint.path, "--out", checkpoint.path])
        XCTAssertEqual(export.code, 1, export.errors)
        let folder = checkpoint.deletingLastPathComponent()
        let prune = run(["prune", "--model", "lenet300", "--checkpoint", checkpoint.path, "--dataset", data, "--out", folder.path])
        XCTAssertEqual(prune.errors, "error: cannot write to \(folder.path): it holds the input \(checkpoint.path), which this command's outputs could replace; choose another --out\n")
        XCTAssertEqual(try Data(contentsOf: checkpoint), before)
    }

    /// A directory as a checkpoint said "NSCocoaErrorDomain error 256", /dev/zero "You don't
    /// have permission"; a FIFO in the dataset folder hung evaluate forever.
    func testCheckpointsAndDatasetFilesMustBeRegularFiles() throws {
        let checkpoint = try trainedCheckpoint()
        let fifo = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        for (path, kind) in [(folder.path, "a directory"), ("/dev/zero", "a character device"), (fifo.path, "a FIFO (named pipe)")] {
            let result = run(["evaluate", "--model", "lenet300", "--checkpoint", path, "--dataset", data])
            XCTAssertEqual(result.errors, "error: cannot read \(path): is \(kind), not a regular file\n")
        }
        let labels = URL(fileURLWithPath: data).appendingPathComponent("t10k-labels-idx1-ubyte")
        try FileManager.default.removeItem(at: labels)
        XCTAssertEqual(mkfifo(labels.path, 0o644), 0)
        let result = run(["evaluate", "--model", "lenet300", "--checkpoint", checkpoint.path, "--dataset", data])
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.errors.contains("\(labels.path): cannot read: is a FIFO (named pipe), not a regular file"), result.errors)
    }
}
