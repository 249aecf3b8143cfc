import Foundation

/// The folders the documentation tests read: the package's sources and the build folder that
/// `swift test` has just filled.
enum PackageFolders {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The nearest of the test bundle's folder and the folders above it that holds `path`. The
    /// bundle lives in the build folder (on Linux it is an executable in `.build/release`, on macOS
    /// a folder there), beside the modules and the package's executables.
    static func buildFolder(holding path: String) -> URL? {
        let bundle = Bundle(for: BundleToken.self).bundleURL
        return sequence(first: bundle, next: { $0.pathComponents.count > 1 ? $0.deletingLastPathComponent() : nil })
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(path).path) }
    }

    /// Runs `executable` with the repository root as working directory; returns its exit status
    /// and its stdout and stderr together.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process(), output = Pipe()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed)
    }

    /// The executable `name` in the first folder of PATH that has one.
    static func toolOnPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A class of the test bundle, for `Bundle(for:)`.
private final class BundleToken {}
