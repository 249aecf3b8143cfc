/// The kind of value an option takes, which decides how it is parsed, checked and described.
public enum OptionKind: Equatable, Sendable {
    /// Present or absent, no value: `--json`.
    case flag
    case integer(ValueRange<Int>)
    /// A `Float`, the type every numeric option is used in: `--lr 0.01`, `--lr=1e-3`.
    /// Checked as a `Float`, so `1e300` (infinite) and `1e-300` (zero) are refused, not rounded.
    case number(ValueRange<Float>)
    /// Any text; the placeholder names it in help (`--out DIR`).
    case text(placeholder: String)
    /// One of a fixed list of words: `--only sgemm|train`.
    case choice([String])

    /// What the option expects, completing "--name expects …".
    public var expectation: String {
        switch self {
        case .flag: return "no value"
        case let .integer(range): return range.describe("integer")
        case let .number(range): return range.describe("number")
        case let .text(placeholder): return "a value (\(placeholder))"
        case let .choice(words): return "one of \(words.joined(separator: ", "))"
        }
    }

    /// What to say after refusing `text`: a number too large or too small for a `Float` looks
    /// valid, so the message says why it is not.
    func expectation(rejecting text: String) -> String {
        guard case .number = self, isOutsideFloatRange(text) else { return expectation }
        return expectation + " that a 32-bit float can hold (magnitude 1.4e-45 to 3.4e38)"
    }

    /// The value's name in help text: `N`, `X`, `DIR`, `sgemm|train`.
    var placeholder: String {
        switch self {
        case .flag: return ""
        case .integer: return "N"
        case .number: return "X"
        case let .text(placeholder): return placeholder
        case let .choice(words): return words.joined(separator: "|")
        }
    }
}

/// Everything the parser and the help text need to know about one option.
public struct OptionSpec: Sendable {
    /// Without the leading dashes: `epochs` for `--epochs`.
    public let name: String
    public let kind: OptionKind
    public let help: String
    /// The default as shown in help, if there is one.
    public let defaultDescription: String?
    /// May be given several times, collecting every value.
    public let isRepeatable: Bool
    /// An environment variable read when the option is absent (`SWIFTLET_DATA`).
    public let environmentVariable: String?

    public init(name: String, kind: OptionKind, help: String, defaultDescription: String? = nil,
                isRepeatable: Bool = false, environmentVariable: String? = nil) {
        precondition(!name.hasPrefix("-") && !name.isEmpty && !name.contains("="), "option names are given without dashes: \(name)")
        self.name = name
        self.kind = kind
        self.help = help
        self.defaultDescription = defaultDescription
        self.isRepeatable = isRepeatable
        self.environmentVariable = environmentVariable
    }

    /// `--name`, as users type it.
    public var flagName: String { "--" + name }
}

/// Anything a command can list among its options (every `Option<Value>`).
public protocol OptionDeclaration: Sendable {
    var spec: OptionSpec { get }
}

/// A value as the parser checked it, before an `Option` turns it into its Swift type.
public enum ParsedValue: Equatable, Sendable {
    case present
    case integer(Int)
    case number(Float)
    case text(String)
}

/// A declared option whose value reads back with its Swift type: `arguments[Self.epochs]`
/// is an `Int`. Declare options as static constants and list them in `Command.options`:
///
///     static let epochs = Option.integer("epochs", default: 10, range: .epochs, help: "Training epochs")
///     static let out = Option.string("out", placeholder: "DIR", help: "Where to write the checkpoint")
///     static let json = Option.flag("json", help: "Print JSON lines")
public struct Option<Value>: OptionDeclaration {
    public let spec: OptionSpec
    /// Turns every value given (in order; empty when absent) into the option's value.
    let read: @Sendable ([ParsedValue]) -> Value

    public init(spec: OptionSpec, read: @escaping @Sendable ([ParsedValue]) -> Value) {
        self.spec = spec
        self.read = read
    }
}

extension Option where Value == Bool {
    public static func flag(_ name: String, help: String) -> Option {
        Option(spec: OptionSpec(name: name, kind: .flag, help: help)) { !$0.isEmpty }
    }
}

extension Option where Value == Int {
    public static func integer(_ name: String, default defaultValue: Int, range: ValueRange<Int> = .any,
                               help: String, environmentVariable: String? = nil) -> Option {
        Option(spec: OptionSpec(name: name, kind: .integer(range), help: help, defaultDescription: "\(defaultValue)",
                                environmentVariable: environmentVariable)) { $0.last?.integer ?? defaultValue }
    }
}

extension Option where Value == Int? {
    public static func integer(_ name: String, range: ValueRange<Int> = .any, help: String,
                               environmentVariable: String? = nil) -> Option {
        Option(spec: OptionSpec(name: name, kind: .integer(range), help: help,
                                environmentVariable: environmentVariable)) { $0.last?.integer }
    }
}

extension Option where Value == Float {
    public static func number(_ name: String, default defaultValue: Float, range: ValueRange<Float> = .any,
                              help: String) -> Option {
        Option(spec: OptionSpec(name: name, kind: .number(range), help: help,
                                defaultDescription: "\(defaultValue)")) { $0.last?.number ?? defaultValue }
    }
}

extension Option where Value == Float? {
    public static func number(_ name: String, range: ValueRange<Float> = .any, help: String) -> Option {
        Option(spec: OptionSpec(name: name, kind: .number(range), help: help)) { $0.last?.number }
    }
}

extension Option where Value == String {
    public static func string(_ name: String, placeholder: String = "VALUE", default defaultValue: String,
                              help: String, environmentVariable: String? = nil) -> Option {
        Option(spec: OptionSpec(name: name, kind: .text(placeholder: placeholder), help: help,
                                defaultDescription: defaultValue, environmentVariable: environmentVariable)) {
            $0.last?.text ?? defaultValue
        }
    }

    public static func choice(_ name: String, _ choices: [String], default defaultValue: String, help: String) -> Option {
        precondition(choices.contains(defaultValue), "default \(defaultValue) of --\(name) is not among its choices")
        return Option(spec: OptionSpec(name: name, kind: .choice(choices), help: help, defaultDescription: defaultValue)) {
            $0.last?.text ?? defaultValue
        }
    }
}

extension Option where Value == String? {
    public static func string(_ name: String, placeholder: String = "VALUE", help: String,
                              environmentVariable: String? = nil) -> Option {
        Option(spec: OptionSpec(name: name, kind: .text(placeholder: placeholder), help: help,
                                environmentVariable: environmentVariable)) { $0.last?.text }
    }

    public static func choice(_ name: String, _ choices: [String], help: String) -> Option {
        Option(spec: OptionSpec(name: name, kind: .choice(choices), help: help)) { $0.last?.text }
    }
}

extension Option where Value == [String] {
    /// An option that may be given several times; reads back every value in order.
    public static func strings(_ name: String, placeholder: String = "VALUE", help: String) -> Option {
        Option(spec: OptionSpec(name: name, kind: .text(placeholder: placeholder), help: help, isRepeatable: true)) {
            $0.compactMap(\.text)
        }
    }
}

extension Option {
    /// A choice among the cases of a string-backed enum: `Option<BenchKind?>.choice("only", help: …)`.
    public static func choice<Choice: CaseIterable & RawRepresentable & Sendable>(_ name: String, help: String) -> Option
    where Value == Choice?, Choice.RawValue == String {
        Option(spec: OptionSpec(name: name, kind: .choice(Choice.allCases.map(\.rawValue)), help: help)) {
            $0.last?.text.flatMap(Choice.init(rawValue:))
        }
    }
}

/// A finite, non-zero number that a `Float` cannot hold: `1e39` becomes infinity, `1e-300` zero.
func isOutsideFloatRange(_ text: String) -> Bool {
    guard let value = Double(text), value.isFinite, value != 0 else { return false }
    return Float(value).isInfinite || Float(value) == 0
}

extension ParsedValue {
    var integer: Int? {
        if case let .integer(value) = self { return value }
        return nil
    }

    var number: Float? {
        if case let .number(value) = self { return value }
        return nil
    }

    var text: String? {
        if case let .text(value) = self { return value }
        return nil
    }
}
