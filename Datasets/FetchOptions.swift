import Foundation

/// Where datasets are cached and where they may come from.
public struct FetchOptions: Sendable {
    /// The cache: fetched files are stored here, laid out like the canonical downloads.
    public var dataDirectory: URL
    /// A local folder laid out like the canonical downloads (`mnist/*.gz`,
    /// `cifar-10-binary.tar.gz`), tried before the network.
    public var mirror: URL?
    /// Whether the canonical URLs may be tried when the cache and mirror lack a file.
    public var allowDownload: Bool

    /// Options from explicit values, falling back to the environment: `SWIFTLET_DATA` for the
    /// cache (default: `swiftlet` in the user's cache folder) and `SWIFTLET_MIRROR` for the mirror.
    public init(dataDirectory: URL? = nil, mirror: URL? = nil, allowDownload: Bool = true,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.dataDirectory = dataDirectory
            ?? environment["SWIFTLET_DATA"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FetchOptions.defaultDataDirectory(environment: environment)
        self.mirror = mirror ?? environment["SWIFTLET_MIRROR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        self.allowDownload = allowDownload
    }

    /// `$XDG_CACHE_HOME/swiftlet`, else the platform's user cache folder (`~/.cache` on Linux).
    public static func defaultDataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("swiftlet")
        }
        let caches = FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return caches.appendingPathComponent("swiftlet")
    }
}
