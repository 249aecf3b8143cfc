import Foundation

/// The CIFAR-10 binary format: batch files of `<1 label byte><3072 pixel bytes>` records
/// (1024 red, 1024 green, 1024 blue, each 32×32 row-major, so already CHW), class names in
/// `batches.meta.txt`. Reads the canonical `cifar-10-binary.tar.gz` (or a `.tar`), or a
/// folder holding the extracted batch files, plain or gzip-compressed.
enum CIFAR10 {
    static let side = 32
    static let imageBytes = 3 * 32 * 32
    static let recordBytes = 1 + imageBytes
    static let trainBatches = (1...5).map { "data_batch_\($0).bin" }
    static let testBatch = "test_batch.bin"
    static let metaFile = "batches.meta.txt"
    /// The folder every member of the canonical archive lives in.
    static let archiveFolder = "cifar-10-batches-bin"

    /// A batch file's bytes and the name to use for it in messages.
    typealias NamedBytes = (name: String, bytes: [UInt8])

    /// Reads `cifar-10-binary.tar.gz` (or an uncompressed tar).
    static func loadArchive(_ url: URL, name: String) throws -> ImageDataset {
        let raw = try readFileBytes(url)
        let tar = Gzip.isGzip(raw) ? try Gzip.decompress(raw, file: url.path) : raw
        let entries = try Tar.entries(tar, file: url.path)
        return try assemble(name: name) { fileName in
            // Match on the last path component, so a re-packed archive with another folder works.
            guard let entry = entries.first(where: { $0.path.split(separator: "/").last.map(String.init) == fileName }) else {
                throw DatasetError(.missingFile, file: url.path, "the archive has no member \(archiveFolder)/\(fileName)")
            }
            return ("\(url.path):\(entry.path)", Array(tar[entry.range]))
        }
    }

    /// Reads a folder holding the extracted files (directly or in `cifar-10-batches-bin/`).
    static func loadFolder(_ folder: URL, name: String) throws -> ImageDataset {
        let root = batchFolder(folder)
        return try assemble(name: name) { fileName in
            let compressed = root.appendingPathComponent(fileName + ".gz")
            let url = isRegularFile(compressed) ? compressed : root.appendingPathComponent(fileName)
            return (url.path, try readMaybeCompressed(url))
        }
    }

    /// Whether `folder` looks like extracted CIFAR-10 binaries.
    static func isFolder(_ folder: URL) -> Bool {
        [testBatch, testBatch + ".gz"].contains { isRegularFile(batchFolder(folder).appendingPathComponent($0)) }
    }

    private static func batchFolder(_ folder: URL) -> URL {
        let nested = folder.appendingPathComponent(archiveFolder)
        return isDirectory(nested) ? nested : folder
    }

    /// Reads the class names, then the five training batches as one set and the test batch.
    private static func assemble(name: String, read: (String) throws -> NamedBytes) throws -> ImageDataset {
        let meta = try read(metaFile)
        let classNames = try parseClassNames(meta.bytes, file: meta.name)
        return ImageDataset(name: name,
                            train: try decode(trainBatches.map(read), classNames: classNames),
                            test: try decode([read(testBatch)], classNames: classNames))
    }

    /// Splits records into labels and pixels, checking the size and every label.
    static func decode(_ files: [NamedBytes], classNames: [String]) throws -> ImageSet {
        var count = 0
        for file in files {
            guard file.bytes.count % recordBytes == 0 else {
                throw DatasetError(.sizeMismatch, file: file.name, "\(file.bytes.count) bytes is not a whole number of \(recordBytes)-byte records (1 label + 3072 pixels)")
            }
            count += file.bytes.count / recordBytes
        }
        var labels = [UInt8](repeating: 0, count: count)
        var pixels = [UInt8](repeating: 0, count: count * imageBytes)
        var image = 0
        try pixels.withUnsafeMutableBufferPointer { pixels in
            for file in files {
                try file.bytes.withUnsafeBufferPointer { bytes in
                    for record in 0..<(bytes.count / recordBytes) {
                        let start = record * recordBytes
                        guard Int(bytes[start]) < classNames.count else {
                            throw DatasetError(.labelOutOfRange, file: file.name, "label \(bytes[start]) of record \(record) is out of range: there are \(classNames.count) classes")
                        }
                        labels[image] = bytes[start]
                        (pixels.baseAddress! + image * imageBytes).update(from: bytes.baseAddress! + start + 1, count: imageBytes)
                        image += 1
                    }
                }
            }
        }
        return try ImageSet(channels: 3, height: side, width: side, pixels: pixels, labels: labels,
                            classNames: classNames, file: files.first?.name ?? "")
    }
}
