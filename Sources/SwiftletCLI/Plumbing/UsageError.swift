/// A mistake on the command line. The description is the one-line message printed after
/// `error: `, naming the option, the value given and what was expected.
public enum UsageError: Error, Equatable, CustomStringConvertible {
    case missingCommand(available: [String])
    case unknownCommand(String, available: [String])
    case unknownOption(String, command: String, suggestion: String?)
    case missingValue(option: String, expected: String)
    case invalidValue(option: String, value: String, expected: String)
    /// A bad value in an environment variable standing in for an option.
    case invalidEnvironmentValue(variable: String, option: String, value: String, expected: String)
    case flagWithValue(option: String, value: String)
    case repeatedOption(String, values: [String])
    case missingArgument(String, command: String)
    case invalidArgument(String, value: String, expected: String)
    case unexpectedArgument(String, command: String)
    /// Any other misuse a command detects itself, e.g. two options that exclude each other.
    case invalid(String)

    public var description: String {
        switch self {
        case let .missingCommand(available):
            return "no command given; expected one of \(available.joined(separator: ", "))"
        case let .unknownCommand(name, available):
            return "unknown command \"\(name)\"; expected one of \(available.joined(separator: ", "))"
        case let .unknownOption(option, command, suggestion):
            return "unknown option \(option) for \"\(command)\"" + (suggestion.map { "; did you mean \($0)?" } ?? "")
        case let .missingValue(option, expected):
            return "\(option) expects \(expected), got nothing"
        case let .invalidValue(option, value, expected):
            return "\(option) expects \(expected), got \(quoted(value))"
        case let .invalidEnvironmentValue(variable, option, value, expected):
            return "\(variable) (standing in for \(option)) expects \(expected), got \(quoted(value))"
        case let .flagWithValue(option, value):
            return "\(option) is a flag and takes no value, got \(quoted(value))"
        case let .repeatedOption(option, values):
            return "\(option) given \(values.count) times (\(values.map(quoted).joined(separator: ", "))); it takes one value"
        case let .missingArgument(name, command):
            return "\"\(command)\" expects <\(name)>"
        case let .invalidArgument(name, value, expected):
            return "<\(name)> expects \(expected), got \(quoted(value))"
        case let .unexpectedArgument(value, command):
            return "unexpected argument \(quoted(value)) for \"\(command)\""
        case let .invalid(message):
            return message
        }
    }
}

/// Quotes a user's value so empty strings and spaces stay visible.
private func quoted(_ value: String) -> String {
    "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
