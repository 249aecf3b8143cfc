/// A model-zoo lookup that found nothing.
public enum ModelZooError: Error, Equatable, CustomStringConvertible {
    /// No entry is called `name`; `known` lists the names there are.
    case unknownModel(String, known: [String])

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            return "unknown model \"\(name)\"; known models: \(known.joined(separator: ", "))"
        }
    }
}
