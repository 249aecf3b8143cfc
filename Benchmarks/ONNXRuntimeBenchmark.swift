import Foundation
import Swiftlet

/// ONNX Runtime's inference figures for the models `swiftlet bench` measures, with the same
/// threads and batch in the same run: each model exported by `ONNXExporter` (as `swiftlet
/// export` writes it) in float and as the int8 engine's QDQ pipeline, and timed by
/// Benchmarks/peer/ort_bench.py the way pytorch_bench.py times PyTorch.
public struct ONNXRuntimeBenchmark {
    /// The two exports timed for each model.
    public enum Format: String, CaseIterable, Sendable {
        /// The float export.
        case fp32
        /// The int8 engine's pipeline (`Int8InferenceModel`) as static QuantizeLinear/DequantizeLinear.
        case int8
    }

    /// One export's speed.
    public struct Figures {
        /// Forward at the batch size, images per second.
        public let inferImagesPerSecond: Double
        /// Forward of one image, microseconds.
        public let latencyMicroseconds: Double
    }

    /// ONNX Runtime's intra-op threads.
    public let threads: Int
    /// Images per inference pass (latency is always batch 1).
    public let batch: Int
    /// By `key(model:format:)`.
    public let figures: [String: Figures]
    /// ONNX Runtime's version as the script reported it ("" when nothing was measured).
    public let version: String
    /// Why nothing was measured (the script failed, e.g. no onnxruntime in that Python), else nil.
    public let unavailable: String?
    /// Exports that could not be written (a model with an op ONNX or the int8 engine cannot
    /// express) or that the script printed no figures for, one sentence each; the other
    /// models are still measured.
    public let skipped: [String]

    /// The key of `model`'s figures in `format`.
    public static func key(model: String, format: Format) -> String { "\(model) \(format.rawValue)" }

    /// The figures of `model` in `format`, if measured.
    public func figures(_ model: String, _ format: Format) -> Figures? { figures[Self.key(model: model, format: format)] }

    /// What a report prints under its table: the version and setup, or why nothing was
    /// measured, then each export that was skipped.
    public var notes: [String] {
        let header = unavailable.map { "ONNX Runtime not measured: \($0)" }
            ?? "ONNX Runtime \(version): the models exported by ONNXExporter in float and as int8 QDQ, "
            + "\(threads) thread\(threads == 1 ? "" : "s"), batch \(batch) (Benchmarks/peer/ort_bench.py)"
        return [header] + skipped.map { "ONNX Runtime: \($0)" }
    }

    /// The timing script beside this file, found without any environment variable.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("peer/ort_bench.py")

    /// Exports the ModelZoo models `names` (seed 0, as `measureModel` builds them) to a
    /// temporary folder and runs the script on them with `python`. A script that fails — a
    /// Python without onnxruntime — gives a result that says why instead of an error, so that
    /// the PyTorch figures of the same run still print.
    public static func run(python: String, threads: Int, batch: Int = 64, models names: [String]) throws -> ONNXRuntimeBenchmark {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-ort-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = ["--threads", "\(threads)", "--batch", "\(batch)"]
        var exported: [(name: String, format: Format)] = []
        var skipped: [String] = []
        for name in names {
            for format in Format.allCases {
                let file = folder.appendingPathComponent("\(name).\(format.rawValue).onnx")
                do {
                    try exporter(name, format, batch: batch).write(to: file)
                    arguments += ["--model", name, format.rawValue, file.path]
                    exported.append((name, format))
                } catch {
                    skipped.append("\(name) \(format.rawValue) not exported: \(error)")
                }
            }
        }
        guard !exported.isEmpty else {
            return ONNXRuntimeBenchmark(threads: threads, batch: batch, figures: [:], version: "", unavailable: "no model exported",
                                        skipped: skipped)
        }
        let printed: String
        do {
            printed = try runPeerScript(script, python: python, arguments: arguments)
        } catch let failure as PeerScriptFailure {
            return ONNXRuntimeBenchmark(threads: threads, batch: batch, figures: [:], version: "", unavailable: failure.description,
                                        skipped: skipped)
        }
        var figures: [String: Figures] = [:]
        var version = ""
        for line in printed.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = object["ort_model"] as? String, let format = (object["format"] as? String).flatMap(Format.init(rawValue:)),
                  let infer = object["infer_img_per_s"] as? Double, let latency = object["latency_b1_us"] as? Double else { continue }
            figures[key(model: name, format: format)] = Figures(inferImagesPerSecond: infer, latencyMicroseconds: latency)
            version = object["onnxruntime"] as? String ?? version
        }
        skipped += exported.filter { figures[key(model: $0.name, format: $0.format)] == nil }
            .map { "\($0.name) \($0.format.rawValue): \(script.lastPathComponent) printed no figures" }
        return ONNXRuntimeBenchmark(threads: threads, batch: batch, figures: figures, version: version, unavailable: nil, skipped: skipped)
    }

    /// `name` from seed 0 exported in `format`; the int8 engine is calibrated as
    /// `measureInt8Inference` calibrates it.
    private static func exporter(_ name: String, _ format: Format, batch: Int) throws -> ONNXExporter {
        let (entry, model) = try seededModel(name)
        model.eval()
        switch format {
        case .fp32: return try ONNXExporter(model, inputShape: entry.inputShape)
        case .int8: return try ONNXExporter(int8: int8Engine(model, inputShape: entry.inputShape, batch: batch))
        }
    }
}
