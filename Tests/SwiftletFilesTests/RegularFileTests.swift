import Foundation
import XCTest
import SwiftletFiles
#if canImport(Glibc)
import Glibc
#endif

final class RegularFileTests: FileTestCase {
    func testReadsARegularFile() throws {
        let file = folder.appendingPathComponent("a.bin")
        try Data([1, 2, 3]).write(to: file)
        XCTAssertEqual(try readRegularFile(atPath: file.path), [1, 2, 3])
    }

    /// Was "NSCocoaErrorDomain error 256" for a directory and "You don't have permission" for
    /// /dev/zero; a FIFO blocked the reader forever.
    func testRefusesWhatIsNotARegularFileAndSaysWhatItIs() throws {
        let fifo = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let cases = [(folder.path, "is a directory, not a regular file"), (fifo.path, "is a FIFO (named pipe), not a regular file"),
                     ("/dev/zero", "is a character device, not a regular file")]
        for (path, reason) in cases {
            XCTAssertThrowsError(try readRegularFile(atPath: path)) { error in
                XCTAssertEqual("\(error)", "cannot read \(path): \(reason)")
            }
        }
    }

    func testMissingFileIsMissing() throws {
        let path = folder.appendingPathComponent("absent").path
        XCTAssertThrowsError(try readRegularFile(atPath: path)) { error in
            XCTAssertEqual("\(error)", "cannot read \(path): no such file or directory")
            XCTAssertTrue((error as? FileSystemError)?.isMissing ?? false)
        }
    }
}
