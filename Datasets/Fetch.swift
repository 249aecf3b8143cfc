import Foundation
import SwiftletFiles

/// Makes sure the cache holds a verified copy of a known dataset (`mnist` or `cifar10`),
/// taking each missing file from the mirror, the copy shipped in the repository, or the
/// canonical URL, in that order. Files already cached are verified again and replaced if bad.
///
/// Every file is verified before it is written, and written atomically, so a failed or
/// interrupted fetch never leaves a half-written or unverified cache entry.
/// - Returns: what a loader reads: the cached MNIST folder or CIFAR-10 archive.
@discardableResult
public func fetch(_ name: String, options: FetchOptions = FetchOptions(),
                  progress: (String) -> Void = { _ in }) throws -> URL {
    guard let dataset = KnownDataset.named(name.lowercased()) else {
        throw DatasetError(.unknownDataset, file: name, "no such dataset to fetch: expected mnist or cifar10")
    }
    return try fetch(dataset, options: options, verifyCached: true, progress: progress)
}

func fetch(_ dataset: KnownDataset, options: FetchOptions, verifyCached: Bool,
           progress: (String) -> Void) throws -> URL {
    for file in dataset.files {
        let destination = options.dataDirectory.appendingPathComponent(file.relativePath)
        // A fetch killed mid-write left its temporary (up to the archive's 170 MB) behind.
        for stale in TemporaryName.removeStale(in: destination.deletingLastPathComponent()) {
            progress("\(destination.deletingLastPathComponent().appendingPathComponent(stale).path): removed, left by an interrupted fetch")
        }
        if isRegularFile(destination) {
            guard verifyCached else { continue }
            do {
                try file.verification.verify(readFileBytes(destination), file: destination.path)
                progress("\(destination.path): cached copy verified")
                continue
            } catch let error as DatasetError {
                progress("\(error); fetching it again")
            }
        }
        let bytes = try obtain(file, from: dataset, options: options, progress: progress)
        try writeCacheFile(bytes, to: destination)
        progress("\(destination.path): stored")
    }
    return options.dataDirectory.appendingPathComponent(dataset.loadPath)
}

/// A verified copy of `file` from the first source that has one.
private func obtain(_ file: KnownFile, from dataset: KnownDataset, options: FetchOptions,
                    progress: (String) -> Void) throws -> [UInt8] {
    var localCopies = [URL]()
    if let mirror = options.mirror { localCopies.append(mirror.appendingPathComponent(file.relativePath)) }
    if let shipped = dataset.shippedFolder { localCopies.append(shipped.appendingPathComponent(file.url.lastPathComponent)) }
    for copy in localCopies where isRegularFile(copy) {
        progress("\(copy.path): copying and verifying")
        let bytes = try readFileBytes(copy)
        try file.verification.verify(bytes, file: copy.path)
        return bytes
    }
    let cached = options.dataDirectory.appendingPathComponent(file.relativePath).path
    guard options.allowDownload else {
        let mirrorNote = options.mirror.map { "not in the mirror \($0.path) either, " } ?? "no mirror given, "
        throw DatasetError(.missingFile, file: cached,
                           "not cached, \(mirrorNote)and downloads are disabled. Pass --mirror DIR or set SWIFTLET_MIRROR=DIR to a folder laid out like the canonical downloads (DIR/\(file.relativePath))")
    }
    progress("\(file.url.absoluteString): downloading")
    let bytes = try download(file.url, relativePath: file.relativePath)
    try file.verification.verify(bytes, file: file.url.absoluteString)
    return bytes
}
