import Foundation

/// The CIFAR-10 binary format: batch files of `<1 label byte><3072 pixel bytes>` records
/// (1024 red, 1024 green, 1024 blue, each 32×32 row-major, so already CHW), class names in
/// `batches.meta.txt`. Reads the canonical `cifar-10-binary.tar.gz` (or a `.tar`), or a
/// folder holding the extracted batch files, plain or gzip-compressed.
package enum CIFAR10 {
    static let side = 32
    static let imageBytes = 3 * 32 * 32
    static let recordBytes = 1 + imageBytes
    static let trainBatches = (1...5).map { "data_batch_\($0).bin" }
    static let testBatch = "test_batch.bin"
    static let metaFile = "batches.meta.txt"
    /// The folder every member of the canonical archive lives in.
    static let archiveFolder = "cifar-10-batches-bin"
    /// The most a compressed archive may inflate to: the canonical one inflates to 184.5 MB
    /// (six batch files of 10,000 records), so this leaves room for a re-packed archive and
    /// stops a small hostile file from filling memory.
    static let archiveLimit = 256 << 20
    /// The most one compressed file of an extracted folder may inflate to: twice a canonical
    /// batch file (30.7 MB).
    static let fileLimit = 64 << 20

    /// The dataset's files as ranges of one buffer (the decompressed tar, or the folder's
    /// files laid end to end), so records are copied once, straight into the image set.
    private struct Files {
        let bytes: ByteBuffer
        /// By file name: the name to use in messages and where the bytes lie.
        let members: [String: (name: String, range: Range<Int>)]
        /// The error for a missing file.
        let missing: (String) -> DatasetError
    }

    /// Reads `cifar-10-binary.tar.gz` (or an uncompressed tar).
    static func loadArchive(_ url: URL, name: String) throws -> ImageDataset {
        try loadArchive(bytes: try readFileBytes(url), file: url.path, name: name)
    }

    /// Decodes the bytes of `cifar-10-binary.tar.gz` (or an uncompressed tar) read from `file`.
    package static func loadArchive(bytes raw: [UInt8], file: String, name: String) throws -> ImageDataset {
        let tar: ByteBuffer
        if Gzip.isGzip(raw) {
            tar = try raw.withUnsafeBufferPointer {
                try Gzip.decompress($0, file: file, maximumLength: archiveLimit,
                                    limitReason: "more than a CIFAR-10 archive holds (the canonical one inflates to 184.5 MB)")
            }
        } else {
            tar = ByteBuffer(capacity: raw.count)
            tar.append(raw)
        }
        // Keyed by the last path component, so a re-packed archive with another folder works.
        let members = try Tar.entriesByFileName(try Tar.entries(tar.buffer, file: file), file: file)
            .mapValues { entry in (name: "\(file):\(entry.path)", range: entry.range) }
        let missing = { (fileName: String) in DatasetError(.missingFile, file: file, "the archive has no member \(archiveFolder)/\(fileName)") }
        return try assemble(Files(bytes: tar, members: members, missing: missing), name: name)
    }

    /// Reads a folder holding the extracted files (directly or in `cifar-10-batches-bin/`).
    static func loadFolder(_ folder: URL, name: String) throws -> ImageDataset {
        let root = batchFolder(folder)
        let bytes = ByteBuffer(capacity: 0)
        var members = [String: (name: String, range: Range<Int>)]()
        for fileName in [metaFile, testBatch] + trainBatches {
            let compressed = root.appendingPathComponent(fileName + ".gz")
            let url = isRegularFile(compressed) ? compressed : root.appendingPathComponent(fileName)
            let start = bytes.count
            bytes.append(try readMaybeCompressed(url, maximumLength: fileLimit,
                                                 limitReason: "more than a CIFAR-10 file holds (a batch file is 30.7 MB)"))
            members[fileName] = (url.path, start..<bytes.count)
        }
        let missing = { (fileName: String) in DatasetError(.missingFile, file: root.appendingPathComponent(fileName).path, "file not found") }
        return try assemble(Files(bytes: bytes, members: members, missing: missing), name: name)
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
    private static func assemble(_ files: Files, name: String) throws -> ImageDataset {
        func member(_ fileName: String) throws -> (name: String, bytes: UnsafeBufferPointer<UInt8>) {
            guard let member = files.members[fileName] else {
                throw files.missing(fileName)
            }
            return (member.name, UnsafeBufferPointer(rebasing: files.bytes.buffer[member.range]))
        }
        let meta = try member(metaFile)
        let classNames = try parseClassNames(Array(meta.bytes), file: meta.name)
        return ImageDataset(name: name,
                            train: try decode(trainBatches.map(member), classNames: classNames),
                            test: try decode([member(testBatch)], classNames: classNames))
    }

    /// Splits records into labels and pixels, checking the size and every label.
    private static func decode(_ files: [(name: String, bytes: UnsafeBufferPointer<UInt8>)],
                               classNames: [String]) throws -> ImageSet {
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
                for record in 0..<(file.bytes.count / recordBytes) {
                    let start = record * recordBytes
                    guard Int(file.bytes[start]) < classNames.count else {
                        throw DatasetError(.labelOutOfRange, file: file.name, "label \(file.bytes[start]) of record \(record) is out of range: there are \(classNames.count) classes")
                    }
                    labels[image] = file.bytes[start]
                    (pixels.baseAddress! + image * imageBytes).update(from: file.bytes.baseAddress! + start + 1, count: imageBytes)
                    image += 1
                }
            }
        }
        return try ImageSet(channels: 3, height: side, width: side, pixels: pixels, labels: labels,
                            classNames: classNames, file: files.first?.name ?? "")
    }
}
