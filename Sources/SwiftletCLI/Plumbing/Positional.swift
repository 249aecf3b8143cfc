/// A positional argument, such as `<experiment-id>` in `swiftlet reproduce <experiment-id>`.
public struct Positional: Sendable {
    /// Shown in help as `<name>`.
    public let name: String
    public let help: String
    public let isOptional: Bool
    /// When set, the only words accepted.
    public let choices: [String]?

    public init(_ name: String, help: String, isOptional: Bool = false, choices: [String]? = nil) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.choices = choices
    }

    /// `<name>`, or `[<name>]` when optional.
    var usage: String { isOptional ? "[<\(name)>]" : "<\(name)>" }
}
