/// JSON string literals, shared by the safetensors header writer and the CLI's JSON output.
public enum JSONString {
    /// `text` quoted, with quotes, backslashes and control characters escaped and everything
    /// else kept as UTF-8 (so a name like "Gewicht-ä" stays readable in the file).
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
