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
    /// `command` takes exactly one of `options` (e.g. "--rank R", "--energy E").
    case needsExactlyOne(of: [String], command: String)
    /// `option` (with its value) `requirement` ("needs --method sparsity"), which the
    /// `conflicting` option given rules out.
    case optionConflict(String, requirement: String, conflicting: String)
    /// A checkpoint whose metadata names the built-in model `saved`, loaded as `requested`.
    case checkpointOfAnotherModel(path: String, saved: String, requested: String)
    /// A quantized checkpoint given to `command`, which needs float weights.
    case quantizedCheckpoint(path: String, command: String)
    /// `model` takes images of shape `expects` (C, H, W); `dataset`'s are `has`.
    case datasetDoesNotFitModel(model: String, expects: [Int], dataset: String, has: [Int])
    /// Distillation feeds the same images to both models, so their input shapes must match.
    case distillationInputsDiffer(teacher: String, [Int], student: String, [Int])
    /// `model` has no `units` (convolution filters, hidden neurons) that structured pruning can remove.
    case nothingToRemove(model: String, units: String)

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
        case let .needsExactlyOne(options, command):
            return "\(command) needs exactly one of \(options.joined(separator: " and "))"
        case let .optionConflict(option, requirement, conflicting):
            return "\(option) \(requirement), got \(conflicting)"
        case let .checkpointOfAnotherModel(path, saved, requested):
            return "\(path) holds a \(saved) checkpoint, not \(requested); load it with --model \(saved)"
        case let .quantizedCheckpoint(path, command):
            return "\(path) is a quantized checkpoint; \(command) needs float weights (the checkpoint it was quantized from)"
        case let .datasetDoesNotFitModel(model, expects, dataset, has):
            return "model \(model) expects images \(imageShape(expects)), but dataset \(dataset) has \(imageShape(has))"
        case let .distillationInputsDiffer(teacher, teacherShape, student, studentShape):
            return "teacher \(teacher) and student \(student) take different images (\(teacherShape) and \(studentShape)); distillation needs the same input"
        case let .nothingToRemove(model, units):
            return "model \(model) has no \(units) that can be removed"
        }
    }
}

/// C×H×W, as image sizes are written.
private func imageShape(_ shape: [Int]) -> String {
    shape.map(String.init).joined(separator: "×")
}

/// Quotes a user's value so empty strings and spaces stay visible.
private func quoted(_ value: String) -> String {
    "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
