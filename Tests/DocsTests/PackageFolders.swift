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
}

/// A class of the test bundle, for `Bundle(for:)`.
private final class BundleToken {}
