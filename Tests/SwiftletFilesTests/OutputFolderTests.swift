import Foundation
import XCTest
@testable import SwiftletFiles

final class OutputFolderTests: FileTestCase {
    func testCommitsFilesAsAUnitAndLeavesNothingElse() throws {
        let output = try OutputFolder(claiming: folder.appendingPathComponent("run"))
        try output.commit(["model.safetensors": [1], "optimizer.safetensors": [2]])
        try output.commit(["model.safetensors": [3], "optimizer.safetensors": [4], "training-state.json": [5]])
        XCTAssertEqual(try names(in: output.url), ["model.safetensors", "optimizer.safetensors", "training-state.json"])
        XCTAssertEqual(try readRegularFile(atPath: output.url.appendingPathComponent("optimizer.safetensors").path), [4])
    }

    /// Two commands writing the same --out interleaved their files silently.
    func testASecondWriterIsRefusedUntilTheFirstIsDone() throws {
        let url = folder.appendingPathComponent("run")
        let first = try OutputFolder(claiming: url)
        XCTAssertThrowsError(try OutputFolder(claiming: url)) { error in
            XCTAssertEqual("\(error)", "cannot write to \(url.path): another command is writing to this folder; wait for it to finish or choose another output folder")
        }
        first.release()
        XCTAssertNoThrow(try OutputFolder(claiming: url))
    }

    /// A process killed after the commit point but before every file was in place left a
    /// `.commit` folder: the next claim finishes the move; an uncommitted staging folder of a
    /// dead process is dropped, and so are its temporary files.
    func testAClaimFinishesAKilledCommitAndDropsUncommittedOnes() throws {
        let url = folder.appendingPathComponent("run")
        try writeFileAtomically([1], to: url.appendingPathComponent("model.safetensors"))
        try writeFileAtomically([1], to: url.appendingPathComponent("optimizer.safetensors"))
        try writeFileAtomically([2], to: url.appendingPathComponent(".commit/optimizer.safetensors"))  // model already moved
        try writeFileAtomically([2], to: url.appendingPathComponent("model.safetensors"))
        let pid = deadPID()
        try writeFileAtomically([9], to: url.appendingPathComponent("..commit.partial-\(pid)/model.safetensors"))
        try writeFileAtomically([9], to: url.appendingPathComponent(".report.md.partial-\(pid)"))
        let output = try OutputFolder(claiming: url)
        XCTAssertEqual(try names(in: output.url), ["model.safetensors", "optimizer.safetensors"])
        for name in ["model.safetensors", "optimizer.safetensors"] {
            XCTAssertEqual(try readRegularFile(atPath: url.appendingPathComponent(name).path), [2], name)
        }
    }

    /// A command that fails before writing anything leaves no empty folders behind.
    func testReleaseRemovesTheFoldersItCreatedWhileEmpty() throws {
        let outer = folder.appendingPathComponent("runs")
        try OutputFolder(claiming: outer.appendingPathComponent("a/b")).release()
        XCTAssertEqual(try names(in: folder), [])
        let used = try OutputFolder(claiming: outer.appendingPathComponent("c"))
        try used.commit(["model.safetensors": [1]])
        used.release()
        XCTAssertEqual(try names(in: outer), ["c"])
    }

    /// `--out` that could not be written failed only after training.
    func testAFolderThatCannotBeCreatedFailsAtOnce() throws {
        let blocker = folder.appendingPathComponent("blocker")
        try writeFileAtomically([1], to: blocker)
        XCTAssertThrowsError(try OutputFolder(claiming: blocker)) { error in
            XCTAssertEqual("\(error)", "cannot create the folder \(blocker.path): a file of that name is in the way")
        }
    }

    func testRefusesToWriteOverItsInputs() throws {
        let checkpoint = folder.appendingPathComponent("model.safetensors")
        try writeFileAtomically([1], to: checkpoint)
        let link = folder.appendingPathComponent("link.safetensors")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: checkpoint)
        XCTAssertThrowsError(try refuseOverwritingInputs(link, inputs: [checkpoint], option: "--probe")) { error in
            XCTAssertEqual("\(error)", "cannot write \(link.path): it is the input \(checkpoint.path), which --probe would overwrite; choose another file")
        }
        XCTAssertNoThrow(try refuseOverwritingInputs(folder.appendingPathComponent("probe.safetensors"), inputs: [checkpoint], option: "--probe"))

        let output = try OutputFolder(claiming: folder)
        XCTAssertThrowsError(try output.refuseInputsInside([checkpoint]))
        XCTAssertNoThrow(try output.refuseInputsInside([URL(fileURLWithPath: "/etc/hostname")]))
    }
}
