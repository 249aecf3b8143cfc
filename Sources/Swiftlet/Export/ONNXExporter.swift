import Foundation

/// Writes any `Module` as an ONNX model (opset 17), from the graph of one traced forward
/// pass — never from the model's classes, so a user's own model with skip connections and
/// layers of its own exports like a built-in one:
///
///     try ONNXExporter(model, inputShape: [3, 32, 32]).write(to: url)                  // float
///     try ONNXExporter(model, inputShape: [3, 32, 32], foldingBatchNorms: true).write(to: url)
///     try ONNXExporter(int8: Int8InferenceModel(model, inputShape: [3, 32, 32], calibration: batches)).write(to: url)
///
/// The input is called "input" and the output "output", both with a dynamic batch dimension
/// "batch". Parameters and buffers are initializers named by their state-dict names
/// (`conv1.weight`, `bn1.running_mean`). An op with no ONNX form throws a `GraphError`
/// naming it and its module; nothing is written then. The bytes depend only on the model's
/// values and structure: the same checkpoint gives the same file.
///
/// A model prepared by `prepareQuantization` (or restored from a quantized checkpoint)
/// exports as it computes in float: 8-bit weights (rounding) as int8/uint8 codes behind
/// DequantizeLinear, other formats (sub-8-bit, binary, ternary, float16) as float initializers
/// holding their dequantized values, which `notes` says; 8-bit input quantizers as
/// QuantizeLinear → DequantizeLinear pairs on the layer's input. The int8 form runs the
/// integer engine's pipeline instead (see ONNXQuantizedLowering.swift).
public struct ONNXExporter {
    /// The ONNX operator set the files declare.
    public static let opsetVersion: Int64 = 17
    /// ONNX IR version 8 (onnx 1.10–1.12), the first with opset 17 in its range.
    public static let irVersion: Int64 = 8

    /// The model as written.
    public let model: ONNXModel
    /// What the export changed or approximated, one sentence each (also in the file's doc_string).
    public let notes: [String]

    /// The float export of `model` for inputs of `inputShape` (without the batch dimension).
    /// With `foldingBatchNorms`, BatchNorms that follow a conv2d or linear op are folded into
    /// its weight and bias (`ModelGraph.foldingBatchNorms`), named `<layer>.weight_folded`.
    public init(_ model: Module, inputShape: [Int], foldingBatchNorms: Bool = false) throws {
        var graph = try model.graph(inputShape: inputShape)
        let modules = Dictionary(model.namedModules.map { ($0.path, $0.module) }, uniquingKeysWith: { first, _ in first })
        var notes: [String] = []
        // Weights as the layers' formats round them, under the parameters' own names.
        var formats: [Int: (format: QuantizationFormat, shadow: Tensor, layer: String)] = [:]
        for node in graph.nodes where node.op.isWeighted {
            guard node.inputs.count >= 2 else {
                throw graph.unsupported(node, by: "ONNX export", "its weight is not an operand of the traced op (a sparse layer computes with its own storage; export the dense model)")
            }
            let weight = node.inputs[1]
            guard let layer = modules[node.path] as? Quantizable, let quantization = layer.quantization,
                  let shadow = graph.values[weight].tensor, shadow === layer.quantizableWeight, formats[weight] == nil else { continue }
            let rounded = try withNoGrad { try shadow.fakeQuantized(as: quantization.weightFormat).detached() }
            graph.values[weight] = ModelGraph.Value(shape: shadow.shape, source: graph.values[weight].source, tensor: rounded)
            formats[weight] = (quantization.weightFormat, shadow, node.path)
        }
        if foldingBatchNorms { graph = graph.foldingBatchNorms() }

        var lowering = ONNXLowering(graph, folded: foldingBatchNorms)
        var floatWeights: [String: [String]] = [:]   // format → layers whose rounded weights are written as floats
        for node in graph.nodes {
            var operands: [String] = []
            for (slot, value) in node.inputs.enumerated() {
                if slot == 1, node.op.isWeighted, lowering.names[value] == nil, let format = formats[value] {
                    if let name = try lowering.dequantizedWeight(value, format.shadow, format.format, of: node) {
                        operands.append(name)
                        continue
                    }
                    floatWeights["\(format.format)", default: []].append(format.layer)
                }
                operands.append(try lowering.operand(value, of: node, slot: slot))
            }
            if node.op.isWeighted, let quantizer = (modules[node.path] as? Quantizable)?.quantization?.inputQuantizer,
               quantizer.isQuantizing, let parameters = quantizer.parameters {
                operands[0] = try lowering.fakeQuantized(operands[0], quantizer.scheme, parameters, of: node)
            }
            lowering.names[node.output] = try lowering.emit(node, operands)
        }
        let stillRead = Set(graph.nodes.filter(\.op.isWeighted).map { $0.inputs[1] })
        let folded = formats.filter { !stillRead.contains($0.key) }.map(\.value.layer)
        for (format, layers) in floatWeights.sorted(by: { $0.key < $1.key }) {
            notes.append("\(format) weights of \(Self.list(layers)) are written as float initializers holding their dequantized values")
        }
        if !folded.isEmpty {
            notes.append("the quantized weights of \(Self.list(folded.sorted())) are folded with their BatchNorms and written in float")
        }
        self.init(lowering.finish(name: "\(type(of: model))"), notes: notes,
                  metadata: [("swiftlet.export", "float"), ("swiftlet.batchnorm", foldingBatchNorms ? "folded" : "kept"),
                             ("swiftlet.input_shape", "\(inputShape)")])
    }

    /// The int8 export of `engine`: QDQ with exactly its grids, weight codes and biases.
    public init(int8 engine: Int8InferenceModel) throws {
        var lowering = ONNXLowering(engine.plan.graph, folded: true)
        try lowering.lowerInt8(engine)
        var rerounded: [String: [String]] = [:]
        for (path, module) in engine.plan.modules.sorted(by: { $0.key < $1.key }) {
            guard let format = (module as? Quantizable)?.quantization?.weightFormat, format != .affine(.int8Weights) else { continue }
            guard engine.plan.graph.nodes.contains(where: { $0.path == path && $0.op.isWeighted }) else { continue }
            rerounded["\(format)", default: []].append(path)
        }
        let notes = rerounded.sorted { $0.key < $1.key }.map { format, layers in
            "\(format) weights of \(Self.list(layers)) are written as the int8 per-channel codes Swiftlet's int8 engine multiplies"
        }
        self.init(lowering.finish(name: "\(engine.plan.modules[""].map { "\(type(of: $0))" } ?? "model")"), notes: notes,
                  metadata: [("swiftlet.export", "int8 QDQ"), ("swiftlet.batchnorm", "folded"),
                             ("swiftlet.input_shape", "\(engine.inputShape)")])
    }

    /// The int8 export of `model` through a fresh `Int8InferenceModel` (grids from its input
    /// quantizers, else observed on `calibration`).
    public init<Batches: Sequence>(int8 model: Module, inputShape: [Int], calibration: Batches) throws where Batches.Element == Tensor {
        try self.init(int8: Int8InferenceModel(model, inputShape: inputShape, calibration: calibration))
    }

    private init(_ graph: ONNXGraph, notes: [String], metadata: [(String, String)]) {
        self.notes = notes
        model = ONNXModel(irVersion: Self.irVersion, opsetImports: [("", Self.opsetVersion)], producerName: "swiftlet",
                          producerVersion: "0.1.0", docString: notes.joined(separator: "\n"), graph: graph,
                          metadata: metadata.map { (key: $0.0, value: $0.1) })
    }

    /// The file's bytes.
    public func serialized() -> [UInt8] { model.serialized() }

    /// Writes the model to `url` atomically: a failure leaves no partial file.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(serialized()), to: url)
    }

    private static func list(_ items: [String]) -> String {
        items.map { $0.isEmpty ? "(model)" : $0 }.joined(separator: ", ")
    }
}

extension ONNXLowering {
    /// A weight whose format is 8-bit rounding, as its integer codes behind DequantizeLinear
    /// (per channel along axis 0, or per tensor); nil for formats that have no such form.
    mutating func dequantizedWeight(_ value: Int, _ shadow: Tensor, _ format: QuantizationFormat, of node: ModelGraph.Node) throws -> String? {
        guard case let .affine(scheme) = format, scheme.bits == 8, scheme.rounding == .nearest,
              let name = graph.parameterName(of: value) else { return nil }
        let quantized = try QuantizedTensor(quantizing: shadow, as: format)
        let perChannel = scheme.granularity == .perChannel
        let dims = perChannel ? [quantized.scales.count] : []
        let codes: ONNXTensor, zeroPoints: ONNXTensor
        if scheme.mapping == .asymmetric {
            codes = ONNXTensor(name: "\(name)_quantized", uint8s: quantized.codes.map { UInt8($0) }, dims: shadow.shape)
            zeroPoints = ONNXTensor(name: "\(name)_zero_point", uint8s: quantized.zeroPoints.map { UInt8($0) }, dims: dims)
        } else {
            codes = ONNXTensor(name: "\(name)_quantized", int8s: quantized.codes.map { Int8($0) }, dims: shadow.shape)
            zeroPoints = ONNXTensor(name: "\(name)_zero_point", int8s: quantized.zeroPoints.map { Int8($0) }, dims: dims)
        }
        let inputs = [builder.addInitializer(codes), builder.addInitializer(ONNXTensor(name: "\(name)_scale", floats: quantized.scales, dims: dims)),
                      builder.addInitializer(zeroPoints)]
        let result = builder.addNode("DequantizeLinear", inputs, scope: scope(node), output: name,
                                     attributes: perChannel ? [.int("axis", 0)] : [])
        names[value] = result
        return result
    }

    /// `x` through QuantizeLinear → DequantizeLinear on a layer's input grid: its fake
    /// quantization, exactly, for 8-bit rounding schemes.
    mutating func fakeQuantized(_ x: String, _ scheme: QuantizationScheme, _ parameters: AffineParameters, of node: ModelGraph.Node) throws -> String {
        guard scheme.bits == 8, scheme.rounding == .nearest else {
            throw graph.unsupported(node, by: pass, "its input is fake-quantized as \(scheme), which QuantizeLinear (8 bits, rounding to nearest) cannot express")
        }
        let scope = scope(node)
        let zeroPoint = scheme.mapping == .asymmetric
            ? ONNXTensor(name: "\(scope)/input_zero_point", uint8s: [UInt8(clamping: parameters.zeroPoint)], dims: [])
            : ONNXTensor(name: "\(scope)/input_zero_point", int8s: [Int8(clamping: parameters.zeroPoint)], dims: [])
        let inputs = [x, builder.addInitializer(ONNXTensor(name: "\(scope)/input_scale", floats: [parameters.scale], dims: [])),
                      builder.addInitializer(zeroPoint)]
        let codes = builder.addNode("QuantizeLinear", inputs, scope: scope)
        return builder.addNode("DequantizeLinear", [codes] + inputs.dropFirst(), scope: scope)
    }
}
