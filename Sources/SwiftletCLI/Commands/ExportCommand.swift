import Foundation
import Swiftlet
import SwiftletBenchmarks
import SwiftletKernels

/// `swiftlet export`: a checkpoint as an ONNX file, optionally checked in ONNX Runtime.
struct ExportCommand: Command {
    let catalog: Catalog
    let name = "export"
    let summary = "Write a checkpoint as an ONNX model (opset 17, dynamic batch); --verify runs it in ONNX Runtime against Swiftlet"
    let discussion = """
        The model is written from the graph of one traced forward pass, with initializers named by their state-dict names. \
        Float checkpoints (pruned and decomposed ones too) export in float, BatchNorm kept unless --fold-batchnorm. --int8 \
        exports the int8 engine's pipeline (Int8InferenceModel: BatchNorm folded, activation grids calibrated on --calibrate \
        training images) as QuantizeLinear/DequantizeLinear pairs with exactly its scales, zero points and weight codes. A \
        quantized checkpoint (swiftlet quantize) whose layers all quantize their inputs to 8 bits exports that way by itself; \
        one with quantized weights only exports in float, 8-bit weights as int8 codes behind DequantizeLinear and other \
        formats as float initializers of their dequantized values (said on stderr). An op that ONNX cannot express is an \
        error naming it and its module, and nothing is written. --verify PYTHON writes the first --verify-images test images, \
        their labels and Swiftlet's logits to OUT's name with .verify.safetensors, runs Benchmarks/peer/onnx_check.py with \
        that Python (onnx, onnxruntime, numpy, safetensors) at the same thread count, and compares: float exports must agree \
        within 1e-4 (max |logit difference|) and on ≥ 99.9 % of top-1 predictions, int8 exports on ≥ 99.5 % with accuracy \
        within 0.1 pp; otherwise the command fails (the file stays written). It also prints both engines' images per second \
        at batch 64 — Swiftlet's float model both as it runs eagerly and as an InferencePlan (BatchNorms folded, each \
        convolution's residual add, ReLU and max pooling in its own pass, as ONNX Runtime prepares the graph).
        """
    static let out = Option<String?>.string("out", placeholder: "FILE", help: "The .onnx file to write")
    static let foldBatchNorm = Option.flag("fold-batchnorm", help: "Fold BatchNorms into the conv2d/linear op they follow")
    static let int8 = Option.flag("int8", help: "Export the int8 engine's pipeline as QDQ (QuantizeLinear/DequantizeLinear)")
    static let calibrate = Option.integer("calibrate", default: 1024, range: .images, help: "Training images for int8 activation calibration")
    static let verify = Option<String?>.string("verify", placeholder: "PYTHON", help: "Run Benchmarks/peer/onnx_check.py with this Python")
    static let verifyImages = Option.integer("verify-images", default: 1000, range: .images, help: "Test images --verify compares on")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, Self.out, Self.foldBatchNorm, Self.int8, Self.calibrate, CommonOptions.dataset,
         Self.verify, Self.verifyImages] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let command = "swiftlet export"
        guard let path = arguments[Self.out] else { throw UsageError.missingArgument("--out", command: command) }
        try CommonOptions.refuseOverwritingCheckpoint(path, arguments, option: "--out")
        CommonOptions.applyThreads(arguments)
        let (entry, model, quantized) = try CommonOptions.loadCheckpoint(arguments, catalog: catalog, command: command)
        let layers = model.quantizedLayers
        let integerOnly = quantized != nil && !layers.isEmpty && layers.allSatisfy { $0.layer.quantization?.inputQuantizer?.scheme.bits == 8 }
        let int8 = arguments[Self.int8] || integerOnly
        let needsData = int8 || arguments[Self.verify] != nil
        let data = needsData ? try CommonOptions.imageData(arguments, for: entry) : nil

        let exporter: ONNXExporter
        let engine: Int8InferenceModel?
        if int8, let data {
            if arguments[Self.foldBatchNorm] == false, model.namedModules.contains(where: { $0.module is BatchNorm }) {
                console.diagnostics.write("note: the int8 export folds BatchNorms into the layers before them, as the int8 engine does\n")
            }
            let calibration = data.calibrationBatches(images: arguments[Self.calibrate])
            engine = try Int8InferenceModel(model, inputShape: entry.inputShape, calibration: calibration)
            exporter = try ONNXExporter(int8: engine!)
        } else {
            engine = nil
            exporter = try ONNXExporter(model, inputShape: entry.inputShape, foldingBatchNorms: arguments[Self.foldBatchNorm])
        }
        for note in exporter.notes { console.diagnostics.write("note: \(note)\n") }
        let url = URL(fileURLWithPath: path)
        let bytes = exporter.serialized()
        try AtomicFile.write(Data(bytes), to: url)

        let format = int8 ? "int8 QDQ" : (arguments[Self.foldBatchNorm] ? "float, BatchNorm folded" : "float")
        var result: JSONObject = ["export": .string(url.path), "model": .string(entry.name), "format": .string(format),
                                  "bytes": .integer(bytes.count), "nodes": .integer(exporter.model.graph.nodes.count),
                                  "initializers": .integer(exporter.model.graph.initializers.count),
                                  "opset": .integer(Int(ONNXExporter.opsetVersion))]
        var lines = ["wrote \(url.path): \(HumanReadable.bytes(bytes.count)), \(exporter.model.graph.nodes.count) nodes, "
                     + "\(exporter.model.graph.initializers.count) initializers, opset \(ONNXExporter.opsetVersion), \(format)"]
        var failures: [String] = []
        if let python = arguments[Self.verify], let data {
            let check = try verify(model: model, engine: engine, onnx: url, data: data, python: python,
                                   images: arguments[Self.verifyImages], console: console)
            failures = Self.failures(check.check, int8: int8)
            result["verify_images"] = .integer(check.check.images)
            result["max_abs_diff"] = .number(check.check.maxAbsDifference)
            result["top1_agreement"] = .number(check.check.top1Agreement, decimals: 2)
            result["ort_accuracy"] = .number(check.check.ortAccuracy, decimals: 2)
            result["swiftlet_accuracy"] = .number(check.check.swiftletAccuracy, decimals: 2)
            result["ort_img_per_s"] = .number(check.check.ortImagesPerSecond, decimals: 0)
            result["swiftlet_img_per_s"] = .number(check.swiftletImagesPerSecond, decimals: 0)
            if let planned = check.planImagesPerSecond { result["swiftlet_plan_img_per_s"] = .number(planned, decimals: 0) }
            result["threads"] = .integer(check.check.threads)
            result["canonical"] = .bool(check.check.canonical)
            result["verified"] = .bool(failures.isEmpty)
            lines += [
                "onnx.checker passed; ONNX Runtime \(check.check.onnxRuntimeVersion), \(check.check.images) test images, "
                    + "\(check.check.threads) threads, batch \(check.check.batch)",
                "  max |logit difference|  \(String(format: "%.3g", check.check.maxAbsDifference))",
                "  top-1 agreement         \(HumanReadable.percent(check.check.top1Agreement))",
                "  accuracy                ONNX Runtime \(HumanReadable.percent(check.check.ortAccuracy)), Swiftlet \(HumanReadable.percent(check.check.swiftletAccuracy))",
                "  img/s (batch \(check.check.batch))        ONNX Runtime \(HumanReadable.count(check.check.ortImagesPerSecond)), "
                    + "Swiftlet \(HumanReadable.count(check.swiftletImagesPerSecond))"
                    + (check.planImagesPerSecond.map { ", Swiftlet InferencePlan \(HumanReadable.count($0))" } ?? ""),
                "  ops ONNX Runtime runs   " + check.check.runtimeOps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                failures.isEmpty ? "verified" : "NOT verified: " + failures.joined(separator: "; "),
            ]
        }
        if arguments[GlobalOptions.json] {
            JSONLinesWriter(sink: console.output).write(result)
        } else {
            console.output.write(lines.joined(separator: "\n") + "\n")
        }
        guard failures.isEmpty else {
            throw ONNXRuntimeMismatch(file: url.lastPathComponent, failures: failures)
        }
    }

    /// The acceptance limits the check is held to.
    static func failures(_ check: ONNXCheck, int8: Bool) -> [String] {
        var failures: [String] = []
        if int8 {
            if check.top1Agreement < 99.5 { failures.append("top-1 agreement \(HumanReadable.percent(check.top1Agreement)) < 99.5 %") }
            if abs(check.ortAccuracy - check.swiftletAccuracy) > 0.1 + 1e-9 {
                failures.append("accuracy \(HumanReadable.percent(check.ortAccuracy)) vs Swiftlet's \(HumanReadable.percent(check.swiftletAccuracy)) (> 0.1 pp apart)")
            }
        } else {
            if !(check.maxAbsDifference <= 1e-4) { failures.append("max |logit difference| \(String(format: "%.3g", check.maxAbsDifference)) > 1e-4") }
            if check.top1Agreement < 99.9 { failures.append("top-1 agreement \(HumanReadable.percent(check.top1Agreement)) < 99.9 %") }
        }
        return failures
    }

    /// Writes the first `images` test images, their labels and Swiftlet's logits (float model
    /// or int8 engine) beside the ONNX file, times Swiftlet at batch 64 (the float model also as
    /// an `InferencePlan`), and runs the checker.
    private func verify(model: Module, engine: Int8InferenceModel?, onnx: URL, data: ImageData, python: String, images: Int,
                        console: Console) throws -> (check: ONNXCheck, swiftletImagesPerSecond: Double, planImagesPerSecond: Double?) {
        var inputs: [Float] = [], labels: [Int] = []
        for batch in data.testBatches() where labels.count < images {
            let take = min(images - labels.count, batch.labels.count)
            inputs += batch.images.scalars.prefix(take * data.imageShape.reduce(1, *))
            labels += batch.labels.prefix(take)
        }
        let count = labels.count, perImage = data.imageShape.reduce(1, *)
        model.eval()
        let forward: (Tensor) throws -> Tensor = { x in try withNoGrad { try engine.map { try $0(x) } ?? model(x) } }
        let batches = stride(from: 0, to: count, by: 64).map { start in
            Tensor(shape: [min(64, count - start)] + data.imageShape, scalars: Array(inputs[start * perImage..<min(start + 64, count) * perImage]))
        }
        var logits: [Float] = [], classes = 0
        for batch in batches {
            let output = try forward(batch)
            logits += output.scalars
            classes = output.shape.last ?? 1
        }
        // Throughput over the whole batches of 64 (all batches when there is none), best of
        // three passes after a first one. The float model is timed as it runs eagerly and as an
        // `InferencePlan` (BatchNorms folded, ReLU and residual adds fused, as ONNX Runtime
        // prepares the exported graph).
        let whole = batches.contains { $0.shape[0] == 64 } ? batches.filter { $0.shape[0] == 64 } : batches
        let timed = whole.reduce(0) { $0 + $1.shape[0] }
        func imagesPerSecond(_ forward: (Tensor) throws -> Tensor) throws -> Double {
            var best = 0.0
            for _ in 0..<3 {
                let start = Date()
                for batch in whole { _ = try forward(batch) }
                best = max(best, Double(timed) / max(Date().timeIntervalSince(start), 1e-9))
            }
            return best
        }
        let eager = try imagesPerSecond(forward)
        var planned: Double?
        if engine == nil {
            let plan = try InferencePlan(model, inputShape: data.imageShape)
            _ = try plan(whole[0])
            planned = try imagesPerSecond { try plan($0) }
        }
        let file = onnx.deletingPathExtension().appendingPathExtension("verify.safetensors")
        try SafeTensorsFile(tensors: [
            "input": SafeTensorsRecord(floats: inputs, shape: [count] + data.imageShape),
            "labels": SafeTensorsRecord(integers: labels.map(Int64.init), shape: [count]),
            "logits": SafeTensorsRecord(floats: logits, shape: [count, classes]),
        ], metadata: ["model": onnx.lastPathComponent]).write(to: file)
        console.diagnostics.write("wrote \(file.path) (\(count) test images, Swiftlet's logits); running \(ONNXCheck.script.lastPathComponent)\n")
        let check = try ONNXCheck.run(python: python, model: onnx, data: file, threads: Parallel.threads)
        return (check, eager, planned)
    }
}
