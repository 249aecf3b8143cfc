/// Why compressed-model bytes could not be written or read back.
public enum CompressedModelError: Error, Equatable, CustomStringConvertible {
    /// The bytes ended early.
    case truncated(atByte: Int)
    /// The bytes do not describe the model they are decoded into.
    case corrupt(String)
    /// A setting the format cannot hold (e.g. too many clusters).
    case unsupported(String)

    public var description: String {
        switch self {
        case let .truncated(offset):
            return "compressed model: the data ends at byte \(offset) but more was expected (a truncated file?)"
        case let .corrupt(why):
            return "compressed model: \(why)"
        case let .unsupported(why):
            return "compressed model: \(why)"
        }
    }
}
