import Foundation

/// Writes whole files so that readers see either the old or the new contents, never a
/// half-written file (a crash or a full disk mid-write leaves the old file in place).
public enum AtomicFile {
    /// A file or its folder could not be written; names the path and the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `data` to a temporary file beside `url` and renames it over `url`, creating
    /// missing parent folders first.
    public static func write(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw WriteError(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Writes `text` as UTF-8; see `write(_:to:)`.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
