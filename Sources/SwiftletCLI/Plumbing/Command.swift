/// One subcommand of a command-line tool. A new command is a type with a name, a summary,
/// its options and a `run`:
///
///     struct Evaluate: Command {
///         static let checkpoint = Option.string("checkpoint", placeholder: "FILE", help: "Weights to evaluate")
///         let name = "evaluate"
///         let summary = "Print a checkpoint's test accuracy"
///         var options: [any OptionDeclaration] { [Self.checkpoint, GlobalOptions.json] }
///         func run(_ arguments: ParsedArguments, console: Console) throws {
///             guard let file = arguments[Self.checkpoint] else { throw UsageError.missingArgument("--checkpoint", command: "evaluate") }
///             …
///         }
///     }
///
/// `--help` and `-h` are handled for every command. Throw `UsageError` for command-line
/// mistakes and any other error whose description is a one-line message for the user.
public protocol Command {
    /// The word that selects the command: `train`.
    var name: String { get }
    /// One line for the command list.
    var summary: String { get }
    /// Further paragraphs for the command's help, if any.
    var discussion: String { get }
    var options: [any OptionDeclaration] { get }
    var positionals: [Positional] { get }
    func run(_ arguments: ParsedArguments, console: Console) throws
}

extension Command {
    public var discussion: String { "" }
    public var options: [any OptionDeclaration] { [] }
    public var positionals: [Positional] { [] }

    /// The help text: usage line, summary, discussion, arguments and options.
    public func helpText(toolName: String) -> String {
        var usage = "Usage: \(toolName) \(name)"
        if !options.isEmpty { usage += " [options]" }
        for positional in positionals { usage += " " + positional.usage }

        var sections = [usage, summary]
        if !discussion.isEmpty { sections.append(discussion) }
        if !positionals.isEmpty {
            sections.append("Arguments:\n" + alignedRows(positionals.map { positional in
                var help = positional.help
                if let choices = positional.choices { help += " (one of: \(choices.joined(separator: ", ")))" }
                if positional.isOptional { help += " (optional)" }
                return ("<\(positional.name)>", help)
            }))
        }
        let optionRows = options.map(\.spec).map { spec -> (String, String) in
            let left = spec.kind == .flag ? spec.flagName : "\(spec.flagName) \(spec.kind.placeholder)"
            var notes: [String] = []
            switch spec.kind {
            case .flag, .text, .choice: break
            case .integer, .number: notes.append(spec.kind.expectation)
            }
            if let value = spec.defaultDescription { notes.append("default \(value)") }
            if let variable = spec.environmentVariable { notes.append("env \(variable)") }
            if spec.isRepeatable { notes.append("may be repeated") }
            return (left, notes.isEmpty ? spec.help : "\(spec.help) (\(notes.joined(separator: "; ")))")
        }
        sections.append("Options:\n" + alignedRows(optionRows + [("-h, --help", "Show this help")]))
        return sections.joined(separator: "\n\n") + "\n"
    }
}

/// Two-column help rows, the second column aligned.
func alignedRows(_ rows: [(String, String)]) -> String {
    let width = (rows.map(\.0.count).max() ?? 0) + 2
    return rows.map { left, right in
        "  " + left + String(repeating: " ", count: width - left.count) + right
    }.joined(separator: "\n")
}
