import Foundation
import SwiftletFiles

/// Writes whole files so that readers see either the old or the new contents, never a
/// half-written file (a crash or a full disk mid-write leaves the old file in place).
/// Errors are `FileSystemError`s: the path and the system's reason in words.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url` and renames it over `url`, creating
    /// missing parent folders first (see `writeFileAtomically`).
    public static func write(_ data: Data, to url: URL) throws {
        try writeFileAtomically([UInt8](data), to: url)
    }

    /// Writes `text` as UTF-8; see `write(_:to:)`.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
