import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `bytes` to `url` so that readers see the old file or the new one, never a
/// half-written file: the bytes go to a temporary beside it (`TemporaryName`), are flushed
/// to disk, and are renamed over `url`. Missing parent folders are created. A failure
/// removes the temporary and throws a `FileSystemError` that names the path and the reason
/// in words (a full disk is "no space left on device").
public func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    let folder = url.deletingLastPathComponent()
    do {
        try createFolder(folder)
    } catch let error as FileSystemError {
        throw FileSystemError("write", url.path, code: error.code, reason: "\(error)")
    }
    let temporary = folder.appendingPathComponent(TemporaryName.forName(url.lastPathComponent)).path
    do {
        try writeAndSync(bytes, toNewFile: temporary, reportedAs: url.path)
        guard rename(temporary, url.path) == 0 else { throw FileSystemError.last("write", url.path) }
    } catch {
        unlink(temporary)
        throw error
    }
    syncFolder(folder)
}

/// Creates `folder` and its missing parents; an existing file in the way is an error.
/// Returns the folders it created, outermost first.
@discardableResult
public func createFolder(_ folder: URL) throws -> [URL] {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
        guard isFolder.boolValue else { throw FileSystemError("create the folder", folder.path, code: ENOTDIR, reason: "a file of that name is in the way") }
        return []
    }
    let parent = folder.deletingLastPathComponent()
    let created = parent.path != folder.path ? try createFolder(parent) : []
    guard mkdir(folder.path, 0o777) == 0 else {
        guard errno == EEXIST else { throw FileSystemError.last("create the folder", folder.path) }
        return created
    }
    return created + [folder]
}

/// Creates `path` (which must not exist), writes `bytes` and flushes them to disk. Errors
/// name `reportedAs`, the file the user asked for, rather than the temporary.
func writeAndSync(_ bytes: [UInt8], toNewFile path: String, reportedAs destination: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw FileSystemError.last("write", destination) }
    defer { close(descriptor) }
    var written = 0
    try bytes.withUnsafeBytes { buffer in
        while written < buffer.count, let base = buffer.baseAddress {
            let n = write(descriptor, base + written, buffer.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw n < 0 ? FileSystemError.last("write", destination) : FileSystemError("write", destination, code: EIO) }
            written += n
        }
    }
    guard fsync(descriptor) == 0 else { throw FileSystemError.last("write", destination) }
}

/// Flushes `folder`'s entries (a rename into it) to disk. Best effort: some file systems
/// refuse to sync a folder, and the data itself is already safe.
func syncFolder(_ folder: URL) {
    let descriptor = open(folder.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}
