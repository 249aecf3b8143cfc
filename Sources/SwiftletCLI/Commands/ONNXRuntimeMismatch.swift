/// `swiftlet export --verify` ran the exported file in ONNX Runtime and it disagreed with
/// Swiftlet; each failure names the measure, its value and the threshold it missed.
struct ONNXRuntimeMismatch: Error, Equatable, CustomStringConvertible {
    let file: String
    let failures: [String]

    var description: String {
        "\(file) does not match Swiftlet in ONNX Runtime: \(failures.joined(separator: "; "))"
    }
}
