#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system operation that failed: the path, what was being done, and the system's
/// reason in words ("no space left on device", "is a directory"), never an opaque code.
public struct FileSystemError: Error, Equatable, CustomStringConvertible {
    /// The file or folder concerned.
    public let path: String
    /// What was being done, as a verb: "read", "write", "lock".
    public let action: String
    /// The POSIX error number behind it (`EINVAL` for a file of the wrong kind).
    public let code: Int32
    /// Why, in words.
    public let reason: String

    public init(_ action: String, _ path: String, code: Int32, reason: String? = nil) {
        self.action = action
        self.path = path
        self.code = code
        self.reason = reason ?? FileSystemError.words(for: code)
    }

    /// The error of the failed call just made (`errno`).
    static func last(_ action: String, _ path: String) -> FileSystemError {
        FileSystemError(action, path, code: errno)
    }

    public var description: String { "cannot \(action) \(path): \(reason)" }

    /// Whether the path does not exist.
    public var isMissing: Bool { code == ENOENT }

    /// `strerror`'s text with a lower-case first letter, to read well after a colon.
    static func words(for code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
