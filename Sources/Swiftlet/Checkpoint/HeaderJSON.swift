/// JSON for safetensors headers, parsed by hand rather than with
/// `JSONSerialization` because the format forbids duplicate keys (which `JSONSerialization`
/// silently merges) and byte offsets must be exact 64-bit integers (not `Double`s).
enum HeaderJSON {
    /// Members in file order, duplicates kept so the caller can reject them.
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// The number's literal text; the header only ever needs non-negative integers.
    case number(String)
    case bool(Bool)
    case null

    /// The value as a non-negative integer, or nil for anything else (fractions, exponents,
    /// negative numbers, out-of-range values, non-numbers).
    var nonNegativeInteger: Int? {
        guard case let .number(text) = self, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(text)
    }

    /// Parses one complete JSON value from UTF-8 bytes; trailing whitespace is allowed
    /// (safetensors pads its header with spaces), anything else after the value is not.
    /// Throws a message describing the first problem and its byte offset.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> HeaderJSON {
        var parser = Parser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.endIndex else {
            throw parser.failure("unexpected text after the JSON value")
        }
        return value
    }
}

/// A malformed header; the message names the byte offset inside the header.
struct HeaderJSONError: Error {
    let message: String
}

private struct Parser {
    let bytes: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    // Nesting in a real header is 3 deep; the cap only stops hostile input overflowing the stack.
    private static let maximumDepth = 64

    func failure(_ what: String) -> HeaderJSONError {
        HeaderJSONError(message: "\(what) at byte \(index - bytes.startIndex) of the header")
    }

    mutating func skipWhitespace() {
        while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == byte else { throw failure("expected \(what)") }
        index += 1
    }

    /// Consumes `byte` (after whitespace) if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func parseValue(depth: Int) throws -> HeaderJSON {
        guard depth < Parser.maximumDepth else { throw failure("JSON nested too deeply") }
        skipWhitespace()
        guard index < bytes.endIndex else { throw failure("unexpected end of header") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try parseKeyword("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseKeyword("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseKeyword("null"); return .null
        default: throw failure("unexpected character \(describe(bytes[index]))")
        }
    }

    mutating func parseObject(depth: Int) throws -> HeaderJSON {
        index += 1  // "{"
        var members: [(key: String, value: HeaderJSON)] = []
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("expected a quoted key")
            }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':' after key \"\(key)\"")
            members.append((key, try parseValue(depth: depth + 1)))
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}' in object")
        return .object(members)
    }

    mutating func parseArray(depth: Int) throws -> HeaderJSON {
        index += 1  // "["
        var elements: [HeaderJSON] = []
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try parseValue(depth: depth + 1))
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']' in array")
        return .array(elements)
    }

    mutating func parseKeyword(_ word: String) throws {
        for expected in word.utf8 {
            guard index < bytes.endIndex, bytes[index] == expected else { throw failure("expected \(word)") }
            index += 1
        }
    }

    mutating func parseNumber() throws -> String {
        let start = index
        let numberBytes = Set("+-.eE0123456789".utf8)
        while index < bytes.endIndex, numberBytes.contains(bytes[index]) { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard isJSONNumber(Array(bytes[start..<index])) else {
            index = start
            throw failure("malformed number \"\(text)\"")
        }
        return text
    }

    /// The JSON number grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, which is
    /// stricter than Swift's number parsing (no leading zeros, no bare dots).
    private func isJSONNumber(_ text: [UInt8]) -> Bool {
        var position = 0
        func skip(_ allowed: String) -> Bool {
            guard position < text.count, allowed.utf8.contains(text[position]) else { return false }
            position += 1
            return true
        }
        func digits() -> Int {
            let start = position
            while skip("0123456789") {}
            return position - start
        }
        _ = skip("-")
        if !skip("0") && digits() == 0 { return false }
        if skip("."), digits() == 0 { return false }
        if skip("eE") {
            _ = skip("+-")
            if digits() == 0 { return false }
        }
        return position == text.count
    }

    mutating func parseString() throws -> String {
        index += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard index < bytes.endIndex else { throw failure("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw failure("string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                index -= 1
                throw failure("unescaped control character \(describe(byte)) in string")
            default:
                utf8.append(byte)
            }
        }
    }

    mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard index < bytes.endIndex else { throw failure("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var value = try parseHex4()
            if (0xD800..<0xDC00).contains(value) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"),
                      bytes[index + 1] == UInt8(ascii: "u") else { throw failure("unpaired surrogate") }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else { throw failure("invalid \\u escape") }
            utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw failure("invalid escape \\\(describe(byte))")
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.endIndex,
              bytes[index..<index + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
              let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw failure("expected four hex digits after \\u")
        }
        index += 4
        return value
    }

    func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }
}
