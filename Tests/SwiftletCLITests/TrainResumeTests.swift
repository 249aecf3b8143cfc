import Foundation
import XCTest
import SwiftletFiles
#if canImport(Glibc)
import Glibc
#endif

/// `swiftlet train --resume`: a run stopped after any epoch, or killed in the middle of a
/// commit, continues to exactly the files of a run never stopped. (Tests/scripts/kill-resume.sh
/// does the same with SIGKILL at random moments against the release binary.)
final class TrainResumeTests: CommandTestCase {
    /// hinton-teacher has dropout, so the global generator's state must be carried over too.
    private func train(_ out: URL, epochs: Int, resume: Bool = false, _ extra: [String] = []) -> (code: Int32, output: String, errors: String) {
        run(["train", "--model", "hinton-teacher", "--dataset", data, "--epochs", "\(epochs)", "--threads", "1",
             resume ? "--resume" : "--out", out.path] + extra)
    }

    private var runFiles: [String] { ["model.safetensors", "optimizer.safetensors", "training-state.json"] }

    private func assertSameFiles(_ folder: URL, as reference: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), runFiles, file: file, line: line)
        for name in runFiles {
            XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(name)), try Data(contentsOf: reference.appendingPathComponent(name)),
                           "\(name) differs from the uninterrupted run's", file: file, line: line)
        }
    }

    private func deadPID() -> pid_t {
        var pid: pid_t = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid += 1 }
        return pid
    }

    func testAStoppedRunResumesToTheUninterruptedRunsFiles() throws {
        let reference = folder.appendingPathComponent("reference")
        XCTAssertEqual(train(reference, epochs: 3).code, 0)
        for stoppedAfter in 0...3 {
            let out = folder.appendingPathComponent("stopped-\(stoppedAfter)")
            if stoppedAfter > 0 { XCTAssertEqual(train(out, epochs: stoppedAfter).code, 0) }
            // What a kill while staging the next commit leaves: a temporary folder and file of a dead process.
            let pid = deadPID()
            try writeFileAtomically([1, 2, 3], to: out.appendingPathComponent("..commit.partial-\(pid)/model.safetensors"))
            try writeFileAtomically([1, 2, 3], to: out.appendingPathComponent(".model.safetensors.partial-\(pid)"))
            let resumed = train(out, epochs: 3, resume: true)
            XCTAssertEqual(resumed.code, 0, resumed.errors)
            XCTAssertTrue(resumed.errors.contains(stoppedAfter == 0 ? "holds no training state yet: starting from epoch 1"
                                                                    : "after epoch \(stoppedAfter) of 3"), resumed.errors)
            try assertSameFiles(out, as: reference)
        }
    }

    /// Killed after the commit point of epoch 2 with only the model moved into place: the
    /// folder holds epoch 2's model beside epoch 1's optimizer until the claim finishes the commit.
    func testAKillInTheMiddleOfACommitIsFinishedByTheResume() throws {
        let reference = folder.appendingPathComponent("reference"), two = folder.appendingPathComponent("two")
        let out = folder.appendingPathComponent("out")
        XCTAssertEqual(train(reference, epochs: 3).code, 0)
        XCTAssertEqual(train(two, epochs: 2).code, 0)
        XCTAssertEqual(train(out, epochs: 1).code, 0)
        let commit = out.appendingPathComponent(".commit")
        try FileManager.default.createDirectory(at: commit, withIntermediateDirectories: true)
        for name in runFiles {
            let destination = name == "model.safetensors" ? out.appendingPathComponent(name) : commit.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: two.appendingPathComponent(name), to: destination)
        }
        let resumed = train(out, epochs: 3, resume: true)
        XCTAssertEqual(resumed.code, 0, resumed.errors)
        XCTAssertTrue(resumed.errors.contains("after epoch 2 of 3"), resumed.errors)
        try assertSameFiles(out, as: reference)
    }

    func testAResumeMustRepeatTheRunsOptions() throws {
        let out = folder.appendingPathComponent("run")
        XCTAssertEqual(train(out, epochs: 2).code, 0)
        let otherRate = train(out, epochs: 3, resume: true, ["--lr", "0.1"])
        XCTAssertEqual(otherRate.code, 1)
        XCTAssertEqual(otherRate.errors, "error: --lr 0.1 differs from the run being resumed in \(out.path) (0.01); repeat the run's options\n")
        let fewerEpochs = train(out, epochs: 1, resume: true)
        XCTAssertEqual(fewerEpochs.errors, "error: \(out.path) already holds 2 trained epochs, more than --epochs 1\n")
        let elsewhere = train(out, epochs: 3, resume: true, ["--out", folder.path])
        XCTAssertEqual(elsewhere.errors, "error: --out \(folder.path) and --resume \(out.path) name different folders; a resumed run writes where it started\n")
    }
}
