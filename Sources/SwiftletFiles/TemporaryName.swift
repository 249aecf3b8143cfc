import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names of files in progress: `.<name>.partial-<pid>` beside their destination, so a
/// process killed mid-write leaves a file that says which process wrote it, and a later
/// process can tell it is stale (that pid is gone) and remove it.
public enum TemporaryName {
    static let marker = ".partial-"

    /// The temporary name for `name`, owned by this process.
    public static func forName(_ name: String) -> String {
        ".\(name)\(marker)\(getpid())"
    }

    /// The process that owns the temporary `name`, nil if `name` is not a temporary.
    static func owner(of name: String) -> pid_t? {
        guard name.hasPrefix("."), let range = name.range(of: marker, options: .backwards),
              let pid = pid_t(name[range.upperBound...]), pid > 0 else { return nil }
        return pid
    }

    /// Removes the temporaries in `folder` (files, or folders with their contents) whose
    /// process is no longer running, and returns their names. Temporaries of live processes
    /// are left alone: they may still be writing. A folder that cannot be listed has none.
    @discardableResult
    public static func removeStale(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { name in
            guard let pid = owner(of: name), !isRunning(pid) else { return false }
            return (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil
        }
    }

    /// Whether process `pid` exists (EPERM: it exists but belongs to someone else).
    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
