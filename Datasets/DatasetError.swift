/// Everything that can go wrong while locating, fetching or decoding a dataset.
///
/// The message always starts with the file (or URL) concerned and says what was wrong
/// with it, so a user can act on it without reading the source.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is, for code that wants to react to one case.
    public enum Kind: Equatable, Sendable {
        case missingFile
        case unreadableFile
        case badMagic
        case truncated
        case sizeMismatch
        case labelOutOfRange
        case corruptStream
        case crcMismatch
        case lengthMismatch
        case unsafePath
        case checksumMismatch
        case downloadFailed
        case unknownDataset
        /// A batch size below 1.
        case invalidBatchSize
        /// An augmentation setting out of range (a negative crop padding).
        case invalidAugmentation
        /// A validation split that leaves no training image, or holds out none.
        case invalidValidationSplit
        /// Means and stds that do not fit the images' channels, or are not finite (stds not positive).
        case invalidNormalization
        case writeFailed
        /// A training or test set without images where a command needs some.
        case empty
    }

    public let kind: Kind
    /// The file, archive member or URL the problem is about.
    public let file: String
    /// What was wrong, in words.
    public let problem: String

    public init(_ kind: Kind, file: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
