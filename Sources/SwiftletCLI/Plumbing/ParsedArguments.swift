/// The checked arguments of one command invocation. Read options through their typed
/// declarations (`arguments[Train.epochs]`) and positionals by declaration or name.
public struct ParsedArguments {
    /// The command as typed, e.g. "swiftlet train", for messages.
    public let commandPath: String
    private let values: [String: [ParsedValue]]
    private let declaredOptions: Set<String>
    private let positionalValues: [String: String]

    init(commandPath: String, values: [String: [ParsedValue]], declaredOptions: Set<String>,
         positionalValues: [String: String]) {
        self.commandPath = commandPath
        self.values = values
        self.declaredOptions = declaredOptions
        self.positionalValues = positionalValues
    }

    /// The option's value: what was given, else its environment variable, else its default.
    public subscript<Value>(option: Option<Value>) -> Value {
        precondition(declaredOptions.contains(option.spec.name),
                     "\(option.spec.flagName) is read by \(commandPath) but not listed in its options")
        return option.read(values[option.spec.name] ?? [])
    }

    /// Whether the option was given on the command line or through its environment variable.
    public func isGiven(_ option: any OptionDeclaration) -> Bool {
        values[option.spec.name] != nil
    }

    /// The positional's value, nil when an optional positional was left out.
    public subscript(positional: Positional) -> String? {
        positionalValues[positional.name]
    }
}
