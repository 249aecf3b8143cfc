import Foundation
import SwiftletFiles

/// Reads a whole regular file into memory (see `readRegularFile`: a folder, FIFO or device
/// is refused, never waited on), so a missing or unreadable file becomes a `DatasetError`
/// that names it and says why.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    do {
        return try readRegularFile(atPath: url.path)
    } catch let error as FileSystemError {
        throw DatasetError(error.isMissing ? .missingFile : .unreadableFile, file: url.path,
                           error.isMissing ? "file not found" : "cannot read: \(error.reason)")
    }
}

/// Whether `url` names an existing regular file (not a folder).
func isRegularFile(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
}

/// Whether `url` names an existing folder.
func isDirectory(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
}

/// Writes `bytes` to `url` atomically (see `writeFileAtomically`): an interrupted or failed
/// write never leaves a half-written cache entry.
func writeCacheFile(_ bytes: [UInt8], to url: URL) throws {
    do {
        try writeFileAtomically(bytes, to: url)
    } catch let error as FileSystemError {
        throw DatasetError(.writeFailed, file: url.path, "cannot write: \(error.reason)")
    }
}
