import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory with plain POSIX calls, so a missing or unreadable
/// file becomes a `DatasetError` that names it (and says why) instead of a Foundation error.
func readFileBytes(_ url: URL) throws -> [UInt8] {
    let path = url.path
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
        let code = errno
        if code == ENOENT { throw DatasetError(.missingFile, file: path, "file not found") }
        throw DatasetError(.unreadableFile, file: path, "cannot open: \(String(cString: strerror(code)))")
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else {
        throw DatasetError(.unreadableFile, file: path, "cannot stat: \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw DatasetError(.unreadableFile, file: path, "not a regular file")
    }
    let size = Int(info.st_size)
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        initialized = 0
        guard let base = buffer.baseAddress else { return }
        while initialized < size {
            let n = read(descriptor, base + initialized, size - initialized)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { readError = errno }
            if n <= 0 { break }
            initialized += n
        }
    }
    guard bytes.count == size else {
        let reason = readError != 0 ? String(cString: strerror(readError)) : "file shrank while reading"
        throw DatasetError(.unreadableFile, file: path, "read \(bytes.count) of \(size) bytes: \(reason)")
    }
    return bytes
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

/// Writes `bytes` to a temporary file beside `url`, then renames it over `url`.
///
/// `rename` is atomic within a file system, so a reader sees either no entry or the whole
/// file: an interrupted or failed write never leaves a half-written cache entry.
func writeFileAtomically(_ bytes: [UInt8], to url: URL) throws {
    let path = url.path
    let folder = url.deletingLastPathComponent()
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        throw DatasetError(.writeFailed, file: folder.path, "cannot create the folder: \(error.localizedDescription)")
    }
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        throw DatasetError(.writeFailed, file: path, "cannot create \(temporary): \(String(cString: strerror(errno)))")
    }
    var written = 0
    var writeError: Int32 = 0
    bytes.withUnsafeBytes { buffer in
        while written < buffer.count, let base = buffer.baseAddress {
            let n = write(descriptor, base + written, buffer.count - written)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { writeError = n < 0 ? errno : EIO; break }
            written += n
        }
    }
    if writeError == 0 && fsync(descriptor) != 0 { writeError = errno }
    close(descriptor)
    if writeError == 0 && rename(temporary, path) != 0 { writeError = errno }
    if writeError != 0 {
        unlink(temporary)
        throw DatasetError(.writeFailed, file: path, "cannot write: \(String(cString: strerror(writeError)))")
    }
}
