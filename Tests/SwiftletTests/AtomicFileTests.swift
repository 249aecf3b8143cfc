import Foundation
import XCTest
import Swiftlet

final class AtomicFileTests: XCTestCase {
    func testCreatesParentFoldersAndReplacesContents() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("AtomicFileTests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let url = root.appendingPathComponent("a/b/report.md")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path),
                       ["report.md"], "no temporary file left behind")
    }

    func testFailureNamesThePath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("AtomicFileTests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        try AtomicFile.write("a file, not a folder", to: root.appendingPathComponent("blocker"))
        let url = root.appendingPathComponent("blocker/inside.txt")
        XCTAssertThrowsError(try AtomicFile.write("x", to: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(url.path): "), "\(error)")
        }
    }
}
