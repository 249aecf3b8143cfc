import Foundation
import XCTest
import SwiftletFiles
#if canImport(Glibc)
import Glibc
#endif

final class AtomicWriteTests: FileTestCase {
    func testReplacesContentsAndLeavesNoTemporary() throws {
        let file = folder.appendingPathComponent("sub/model.safetensors")
        try writeFileAtomically([1], to: file)
        try writeFileAtomically([2, 3], to: file)
        XCTAssertEqual(try readRegularFile(atPath: file.path), [2, 3])
        XCTAssertEqual(try names(in: file.deletingLastPathComponent()), ["model.safetensors"])
    }

    /// A write that runs out of room (here the file-size limit; a full disk takes the same
    /// path) says so in words, keeps the old file and removes its temporary. It used to
    /// report "NSCocoaErrorDomain error 512".
    func testAFailedWriteSaysWhyInWordsAndKeepsTheOldFile() throws {
        let file = folder.appendingPathComponent("model.safetensors")
        try writeFileAtomically([7], to: file)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var previousLimit = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &previousLimit)
        var limit = previousLimit
        limit.rlim_cur = 1000
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit), 0)
        XCTAssertThrowsError(try writeFileAtomically([UInt8](repeating: 1, count: 5000), to: file)) { error in
            XCTAssertEqual("\(error)", "cannot write \(file.path): file too large")
        }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &previousLimit)
        signal(SIGXFSZ, previousHandler)
        XCTAssertEqual(try readRegularFile(atPath: file.path), [7])
        XCTAssertEqual(try names(in: folder), ["model.safetensors"])
    }

    func testAFileInTheWayOfAFolderIsNamed() throws {
        let blocker = folder.appendingPathComponent("blocker")
        try writeFileAtomically([1], to: blocker)
        let file = blocker.appendingPathComponent("inside.bin")
        XCTAssertThrowsError(try writeFileAtomically([1], to: file)) { error in
            XCTAssertEqual("\(error)", "cannot write \(file.path): cannot create the folder \(blocker.path): a file of that name is in the way")
        }
    }

    func testRemovesOnlyTheTemporariesOfDeadProcesses() throws {
        let dead = ".cifar-10-binary.tar.gz.partial-\(deadPID())", live = ".train-images.partial-\(getpid())"
        for name in [dead, live, "data.bin", ".hidden"] { try writeFileAtomically([0], to: folder.appendingPathComponent(name)) }
        XCTAssertEqual(TemporaryName.removeStale(in: folder), [dead])
        XCTAssertEqual(try names(in: folder), [".hidden", live, "data.bin"].sorted())
    }
}
