/// Everything that can go wrong while locating, fetching or decoding a dataset.
///
/// The message always starts with the file (or URL) concerned and says what was wrong
/// with it, so a user can act on it without reading the source.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is, for code that wants to react to one case.
    public enum Kind: Equatable, Sendable {
        /// The file, or an archive member, does not exist.
        case missingFile
        /// The file exists but cannot be read (permissions, a folder, an I/O error).
        case unreadableFile
        /// The file does not start as its format requires (IDX magic, gzip's 1f 8b).
        case badMagic
        /// The file ends before its format says it should.
        case truncated
        /// Counts that disagree: labels and images, record sizes, a header's declared size.
        case sizeMismatch
        /// A label not below the number of classes.
        case labelOutOfRange
        /// A deflate stream that cannot be decoded.
        case corruptStream
        /// Decompressed data whose CRC-32 differs from the gzip trailer's.
        case crcMismatch
        /// Decompressed data whose length differs from the gzip trailer's.
        case lengthMismatch
        /// A tar member path that is absolute or climbs out with `..`.
        case unsafePath
        /// Content whose SHA-256 (or archive MD5) is not the published one.
        case checksumMismatch
        /// The file could not be downloaded (offline, an HTTP error, no data).
        case downloadFailed
        /// A dataset name or path that names no known dataset or layout.
        case unknownDataset
        /// A batch size below 1.
        case invalidBatchSize
        /// An augmentation setting out of range (a negative crop padding).
        case invalidAugmentation
        /// A validation split that leaves no training image, or holds out none.
        case invalidValidationSplit
        /// Means and stds that do not fit the images' channels, or are not finite (stds not positive).
        case invalidNormalization
        /// The cache or output file cannot be written.
        case writeFailed
        /// A training or test set without images where a command needs some.
        case empty
        /// A data-parallel shard whose rank is not below its rank count.
        case invalidShard
    }

    /// The kind of problem, for code that reacts to one case; `problem` says the rest.
    public let kind: Kind
    /// The file, archive member or URL the problem is about.
    public let file: String
    /// What was wrong, in words.
    public let problem: String

    /// An error of `kind` about `file`; `problem` completes the message "file: problem".
    public init(_ kind: Kind, file: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
