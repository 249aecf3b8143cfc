import Foundation

/// What a dataset name given by a user (`--dataset`) refers to.
public enum DatasetSource: Equatable, Sendable {
    /// MNIST: the copy shipped in the repository, else the cache, else fetched.
    case mnist
    /// CIFAR-10: the cached `cifar-10-binary.tar.gz`, fetched if missing.
    case cifar10
    /// A folder of four IDX files laid out like MNIST (any such dataset).
    case idxFolder(URL)
    /// A folder of extracted CIFAR-10 batch files.
    case cifar10Folder(URL)
    /// A CIFAR-10 binary archive (`.tar.gz` or `.tar`) at any path.
    case cifar10Archive(URL)

    /// Resolves `mnist`, `cifar10` (or `cifar-10`), or a path to a folder or archive.
    public init(_ name: String) throws {
        switch name.lowercased() {
        case "mnist": self = .mnist; return
        case "cifar10", "cifar-10": self = .cifar10; return
        default: break
        }
        let url = URL(fileURLWithPath: name)
        if isDirectory(url) {
            if IDXFolder.isComplete(url) { self = .idxFolder(url); return }
            if CIFAR10.isFolder(url) { self = .cifar10Folder(url); return }
            throw DatasetError(.missingFile, file: url.path, "the folder holds neither the four IDX files of an MNIST-like dataset (\(IDXFolder.fileNames.joined(separator: ", ")), each optionally .gz) nor CIFAR-10 batch files")
        }
        if isRegularFile(url), [".tar.gz", ".tgz", ".tar"].contains(where: { name.hasSuffix($0) }) {
            self = .cifar10Archive(url)
            return
        }
        throw DatasetError(.unknownDataset, file: name, "unknown dataset: expected mnist, cifar10, a folder of IDX files laid out like MNIST, or a CIFAR-10 .tar.gz")
    }
}

/// Loads a dataset by name (see `DatasetSource`), fetching it into the cache first if needed.
///
/// A dataset already in the cache is read without checking the mirror or the network
/// (the cache holds only verified files; gzip's CRC-32 still guards every read).
public func loadDataset(_ name: String, options: FetchOptions = FetchOptions(),
                        progress: (String) -> Void = { _ in }) throws -> ImageDataset {
    try loadDataset(DatasetSource(name), options: options, progress: progress)
}

/// Loads a dataset from a resolved source.
public func loadDataset(_ source: DatasetSource, options: FetchOptions = FetchOptions(),
                        progress: (String) -> Void = { _ in }) throws -> ImageDataset {
    let digits = (0...9).map(String.init)
    switch source {
    case .mnist:
        let known = KnownDataset.mnist
        if let shipped = known.shippedFolder, IDXFolder.isComplete(shipped) {
            return try IDXFolder.load(shipped, name: known.name, classNames: digits)
        }
        let folder = try fetch(known, options: options, verifyCached: false, progress: progress)
        return try IDXFolder.load(folder, name: known.name, classNames: digits)
    case .cifar10:
        let known = KnownDataset.cifar10
        let archive = try fetch(known, options: options, verifyCached: false, progress: progress)
        return try CIFAR10.loadArchive(archive, name: known.name)
    case .idxFolder(let folder):
        return try IDXFolder.load(folder, name: folder.path)
    case .cifar10Folder(let folder):
        return try CIFAR10.loadFolder(folder, name: folder.path)
    case .cifar10Archive(let archive):
        return try CIFAR10.loadArchive(archive, name: archive.path)
    }
}
