import Foundation
import Swiftlet

/// A JSON value for result lines. Literals work directly:
/// `["experiment": "seed000", "accuracy": 99.12, "params": 21840, "pruned": true]`.
public enum JSONValue: Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    case string(String)
    case integer(Int)
    /// A number with `decimals` fixed decimals (`99.12`), or with 6 significant digits when nil.
    /// NaN and infinities, which JSON cannot hold, become `null`.
    case number(Double, decimals: Int? = nil)
    case bool(Bool)
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }

    /// The value's JSON text.
    public var jsonText: String {
        switch self {
        case let .string(text): return JSONString.quoted(text)
        case let .integer(value): return String(value)
        case let .number(value, decimals):
            guard value.isFinite else { return "null" }
            guard let decimals else { return String(format: "%.6g", value) }
            return String(format: "%.\(decimals)f", value)
        case let .bool(value): return value ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// A JSON object whose keys keep their insertion order, rendered on one line:
/// `{"experiment": "seed000-mnist-prune", "stage": "pruned", "accuracy": 99.12}`.
public struct JSONObject: Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// Setting an existing key replaces its value in place; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (index?, value?): members[index].value = value
            case let (index?, nil): members.remove(at: index)
            case let (nil, value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// One line, no trailing whitespace, no newline.
    public var jsonText: String {
        "{" + members.map { JSONString.quoted($0.key) + ": " + $0.value.jsonText }.joined(separator: ", ") + "}"
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy { $0 == $1 }
    }
}

/// Writes one JSON object per line (the `--json` output format).
public struct JSONLinesWriter {
    public let sink: TextSink

    public init(sink: TextSink) {
        self.sink = sink
    }

    public func write(_ object: JSONObject) {
        sink.write(object.jsonText + "\n")
    }
}
