import Foundation

/// The top-level dispatcher: `tool <command> [options]`, `tool --help`, `tool help <command>`,
/// `tool --version`. Turns every error into one line on stderr and exit code 1.
public struct CommandLineTool {
    public let name: String
    public let summary: String
    public let version: String
    public let commands: [any Command]

    public init(name: String, summary: String, version: String, commands: [any Command]) {
        precondition(Set(commands.map(\.name)).count == commands.count, "two commands share a name")
        precondition(!commands.contains { $0.name == "help" }, "\"help\" is built in")
        self.name = name
        self.summary = summary
        self.version = version
        self.commands = commands
    }

    /// Runs the process's command line and exits with its status.
    public func main() -> Never {
        exit(run(Array(CommandLine.arguments.dropFirst()), console: .standard))
    }

    /// Runs one command line (without the program name) and returns the exit status:
    /// 0 on success, 1 on any error, reported as `error: <message>` on `console.diagnostics`.
    public func run(_ arguments: [String], console: Console) -> Int32 {
        do {
            try dispatch(arguments, console: console)
            return 0
        } catch {
            console.diagnostics.write("error: \(oneLine(error))\n")
            return 1
        }
    }

    /// The list of commands, shown for `--help`, `help` and a bare `help`.
    public var helpText: String {
        let rows = commands.map { ($0.name, $0.summary) } + [("help", "Show help for a command")]
        return """
            \(name) \(version): \(summary)

            Usage: \(name) <command> [options]

            Commands:
            \(alignedRows(rows))

            Run "\(name) help <command>" or "\(name) <command> --help" for a command's options.

            """
    }

    private var commandNames: [String] { commands.map(\.name) + ["help"] }

    private func dispatch(_ arguments: [String], console: Console) throws {
        guard let first = arguments.first else { throw UsageError.missingCommand(available: commandNames) }
        switch first {
        case "--help", "-h":
            console.output.write(helpText)
        case "--version":
            console.output.write("\(name) \(version)\n")
        case "help":
            guard arguments.count > 1, arguments[1] != "help" else { return console.output.write(helpText) }
            guard arguments.count == 2 else { throw UsageError.unexpectedArgument(arguments[2], command: "\(name) help") }
            console.output.write(try command(named: arguments[1]).helpText(toolName: name))
        default:
            let command = try command(named: first)
            let rest = Array(arguments.dropFirst())
            let beforeSeparator = rest.prefix { $0 != "--" }
            if beforeSeparator.contains("--help") || beforeSeparator.contains("-h") {
                return console.output.write(command.helpText(toolName: name))
            }
            let parsed = try ParsedArguments(parsing: rest, options: command.options.map(\.spec),
                                             positionals: command.positionals, commandPath: "\(name) \(command.name)",
                                             environment: console.environment)
            try command.run(parsed, console: console)
        }
    }

    private func command(named word: String) throws -> any Command {
        guard let command = commands.first(where: { $0.name == word }) else {
            throw UsageError.unknownCommand(word, available: commandNames)
        }
        return command
    }
}

/// An error's message folded onto one line, so stderr stays one line per error.
private func oneLine(_ error: Error) -> String {
    String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
}
