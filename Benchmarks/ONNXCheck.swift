import Foundation

/// ONNX Runtime's verdict on an exported model, from Benchmarks/peer/onnx_check.py: the
/// file passes `onnx.checker`, and its logits on the test images Swiftlet hands it compare
/// with Swiftlet's (`swiftlet export --verify PYTHON`).
public struct ONNXCheck {
    /// The largest |ONNX Runtime logit − Swiftlet logit| over all images and classes.
    public let maxAbsDifference: Double
    /// Percent of images where both pick the same class.
    public let top1Agreement: Double
    /// Test accuracy in percent, of ONNX Runtime's and of Swiftlet's logits.
    public let ortAccuracy: Double
    public let swiftletAccuracy: Double
    /// ONNX Runtime's throughput at the script's batch size and thread count.
    public let ortImagesPerSecond: Double
    public let images: Int
    public let threads: Int
    public let batch: Int
    /// Whether protobuf re-serializes the file to the very same bytes.
    public let canonical: Bool
    public let onnxRuntimeVersion: String
    /// Op types ONNX Runtime runs after its graph optimisations, with their counts.
    public let runtimeOps: [String: Int]
    /// The script's JSON line as printed.
    public let line: String

    /// The checker script beside this file, found without any environment variable.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("peer/onnx_check.py")

    /// Runs the checker with `python` (which must have onnx, onnxruntime, numpy and
    /// safetensors) on `model` and `data` (inputs, labels and Swiftlet's logits).
    public static func run(python: String, model: URL, data: URL, threads: Int, batch: Int = 64) throws -> ONNXCheck {
        let printed = try runPeerScript(script, python: python,
                                        arguments: [model.path, data.path, "--threads", "\(threads)", "--batch", "\(batch)"])
        let lines = printed.split(separator: "\n")
        guard let line = lines.last, let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let maxDifference = object["max_abs_diff"] as? Double, let agreement = object["top1_agreement"] as? Double,
              let ortAccuracy = object["ort_accuracy"] as? Double, let swiftletAccuracy = object["swiftlet_accuracy"] as? Double,
              let speed = object["ort_img_per_s"] as? Double else {
            throw PeerScriptFailure(description: "\(script.lastPathComponent) printed no result line: \(lines.last.map(String.init) ?? "nothing")")
        }
        return ONNXCheck(maxAbsDifference: maxDifference, top1Agreement: agreement, ortAccuracy: ortAccuracy,
                         swiftletAccuracy: swiftletAccuracy, ortImagesPerSecond: speed, images: object["images"] as? Int ?? 0,
                         threads: object["threads"] as? Int ?? threads, batch: object["batch"] as? Int ?? batch,
                         canonical: object["canonical"] as? Bool ?? false, onnxRuntimeVersion: object["onnxruntime"] as? String ?? "?",
                         runtimeOps: object["ort_ops"] as? [String: Int] ?? [:], line: String(line))
    }
}
