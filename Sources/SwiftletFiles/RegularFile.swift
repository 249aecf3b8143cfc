#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole regular file. Anything else is refused with a `FileSystemError` that says
/// what the path is instead: a folder, a FIFO (which would block the reader until some
/// other process writes to it), a device (`/dev/zero` never ends), a socket.
public func readRegularFile(atPath path: String) throws -> [UInt8] {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw FileSystemError.last("read", path) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw FileSystemError.last("read", path) }
    if let kind = nonRegularKind(info.st_mode) {
        throw FileSystemError("read", path, code: kind == "a directory" ? EISDIR : EINVAL,
                              reason: "is \(kind), not a regular file")
    }
    let size = Int(info.st_size)
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        initialized = 0
        guard let base = buffer.baseAddress else { return }
        while initialized < size {
            let n = read(descriptor, base + initialized, size - initialized)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n < 0 { readError = errno }
            if n <= 0 { break }
            initialized += n
        }
    }
    guard bytes.count == size else {
        throw FileSystemError("read", path, code: readError != 0 ? readError : EIO,
                              reason: "read \(bytes.count) of \(size) bytes: "
                                  + (readError != 0 ? FileSystemError.words(for: readError) : "the file shrank while being read"))
    }
    return bytes
}

/// What a file of mode `mode` is, in words, unless it is a regular file.
func nonRegularKind(_ mode: mode_t) -> String? {
    switch mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return "a special file"
    }
}
