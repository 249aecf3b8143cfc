import Foundation
import XCTest
@testable import Swiftlet

/// ONNX export of models defined only here, read back with the tests' own protobuf reader
/// (ONNXTestSupport.swift): op types and attributes, initializer names, shapes and values,
/// and what the decoded graph computes, run op by op at another batch size than the trace's.
final class ONNXExportTests: XCTestCase {
    /// conv → max-pool → ReLU → flatten → fc → ReLU → fc: the MNIST net's shape, small.
    static func smallNet() -> Sequential {
        Sequential {
            ("conv1", Conv2d(1, 4, kernelSize: 3)); MaxPool2d(2); ReLU()
            Flatten(); ("fc1", Linear(100, 16)); ReLU(); ("fc2", Linear(16, 5))
        }
    }

    /// A stem with BatchNorm, a residual block, a concat of two branches, global pooling and
    /// a classifier in a replaceable slot: what the int8 engine runs, in a model of the test's own.
    final class ResidualNet: Module {
        let stem = Conv2d(2, 6, kernelSize: 3, padding: 1, bias: false)
        let bn = BatchNorm2d(6)
        let conv1 = Conv2d(6, 6, kernelSize: 3, padding: 1)
        let bn1 = BatchNorm2d(6)
        let conv2 = Conv2d(6, 6, kernelSize: 3, padding: 1)
        let left = Conv2d(6, 3, kernelSize: 1)
        let right = Conv2d(6, 2, kernelSize: 3, stride: 1, padding: 1)
        @Child var fc: Module = Linear(5, 4)

        override func forward(_ x: Tensor) throws -> Tensor {
            let h = try bn(stem(x)).relu()
            let r = try (conv2(bn1(conv1(h)).relu()) + h).relu()
            let joined = try concat([left(r), maxPool2d(right(r), kernelSize: 1)])
            return try fc(globalAvgPool2d(joined).flattened())
        }
    }

    /// The ops the other models do not use: pad, average pooling, sigmoid, affine, tanh,
    /// slice, permute, arithmetic with a parameter, exp/log, sums and means, matmul, softmax.
    final class EveryOpNet: Module {
        let conv = Conv2d(2, 4, kernelSize: 3, stride: 2, dilation: 1)
        let gain = Tensor.uniform([4, 1, 1], low: 0.5, high: 1.5)
        let projection = Tensor.uniform([4, 3], low: -1, high: 1)
        override var localParameters: [(name: String, tensor: Tensor)] { [("gain", gain), ("projection", projection)] }

        override func forward(_ x: Tensor) throws -> Tensor {
            var h = try conv(x.padded([(0, 0), (0, 0), (1, 2), (2, 1)], value: 0.5))            // [N, 4, 4, 4]
            h = try avgPool2d(h, kernelSize: 3, stride: 1, padding: 1, countIncludePad: false).sigmoid()
            h = try (h * 2 + 1).tanh() * gain - h / (h.exp() + 1)
            h = try concat([h.sliced(alongAxis: 1, 0..<2), h.sliced(alongAxis: 1, 2..<4).log()], alongAxis: 1)
            h = try h.permuted([0, 2, 3, 1]).permuted([0, 3, 1, 2])
            let pooled = try h.mean(alongAxes: [2], keepingDimensions: true).sum(alongAxes: [3])   // [N, 4, 1]
            let logits = try pooled.reshaped([pooled.shape[0], 2, 2]).reshaped([pooled.shape[0], 4]).matmul(projection)  // [N, 3]
            return try logits.softmax(alongAxis: 1).log() + logits.logSoftmax(alongAxis: 1)
        }
    }

    /// A module that computes outside Swiftlet's ops: the trace cannot see inside it.
    final class Opaque: Module {
        override func forward(_ input: Tensor) throws -> Tensor {
            Tensor(shape: input.shape, scalars: input.scalars.map { $0 * 2 })
        }
    }

    final class WithOpaque: Module {
        let conv = Conv2d(1, 2, kernelSize: 3)
        let secret = Opaque()
        override func forward(_ x: Tensor) throws -> Tensor { try secret(conv(x)) }
    }

    /// BatchNorms with statistics that differ from the identity, so folding them matters.
    private func randomizeBatchNorms(_ model: Module) throws {
        var values = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor) })
        for (name, tensor) in values where name.hasSuffix("running_var") { values[name] = .uniform(tensor.shape, low: 0.5, high: 2) }
        for (name, tensor) in values where name.hasSuffix("running_mean") { values[name] = .uniform(tensor.shape, low: -0.3, high: 0.3) }
        try model.loadStateDict(values)
    }

    /// The decoded graph run on `input`, against the model in evaluation mode.
    private func assertComputesLikeTheModel(_ bytes: [UInt8], _ model: Module, _ input: Tensor, accuracy: Float = 1e-5,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let decoded = try DecodedModel(bytes)
        model.eval()
        let expected = try withNoGrad { try model(input) }
        let actual = try ONNXReferenceRunner(model: decoded).run(input)
        XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
        let difference = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(difference, accuracy, "max |difference|", file: file, line: line)
    }

    func testAFloatModelIsWrittenOpByOpWithStateDictNames() throws {
        GlobalRandom.seed(1)
        let model = Self.smallNet()
        let decoded = try DecodedModel(try ONNXExporter(model, inputShape: [1, 12, 12]).serialized())
        XCTAssertEqual(decoded.irVersion, 8)
        XCTAssertEqual(decoded.opsets.map(\.version), [17])
        XCTAssertEqual(decoded.opsets.map(\.domain), [""])
        XCTAssertEqual(decoded.producer, "swiftlet")
        XCTAssertEqual(decoded.metadata["swiftlet.export"], "float")
        XCTAssertEqual(decoded.opTypes, ["Conv", "MaxPool", "Relu", "Flatten", "Gemm", "Relu", "Gemm"])
        XCTAssertEqual(decoded.initializerOrder, ["conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        for (name, tensor) in model.stateDict {
            XCTAssertEqual(decoded.initializers[name]?.dims, tensor.shape, name)
            XCTAssertEqual(decoded.initializers[name]?.dataType, 1, name)
            XCTAssertEqual(decoded.initializers[name]?.floats, tensor.scalars, name)
        }
        let conv = decoded.nodes[0]
        XCTAssertEqual(conv.inputs, ["input", "conv1.weight", "conv1.bias"])
        XCTAssertEqual(conv.attributes["kernel_shape"]?.intList, [3, 3])
        XCTAssertEqual(conv.attributes["strides"]?.intList, [1, 1])
        XCTAssertNil(conv.attributes["pads"], "attributes at their defaults are left out")
        XCTAssertEqual(decoded.nodes[1].attributes["kernel_shape"]?.intList, [2, 2])
        XCTAssertEqual(decoded.nodes[1].attributes["strides"]?.intList, [2, 2])
        XCTAssertEqual(decoded.nodes[3].attributes["axis"]?.i, 1)
        XCTAssertEqual(decoded.nodes[4].attributes["transB"]?.i, 1)
        XCTAssertEqual(decoded.inputs.map(\.name), ["input"])
        XCTAssertEqual(decoded.inputs[0].shape, [.parameter("batch"), .value(1), .value(12), .value(12)])
        XCTAssertEqual(decoded.inputs[0].elementType, 1)
        XCTAssertEqual(decoded.outputs.map(\.name), ["output"])
        XCTAssertEqual(decoded.outputs[0].shape, [.parameter("batch"), .value(5)])
        XCTAssertEqual(decoded.nodes.last?.outputs, ["output"])
        try assertComputesLikeTheModel(try ONNXExporter(model, inputShape: [1, 12, 12]).serialized(), model,
                                       .uniform([3, 1, 12, 12], low: -1, high: 1))
    }

    func testAResidualModelOfTheUsersOwnWithBatchNormKeptOrFolded() throws {
        GlobalRandom.seed(2)
        let model = ResidualNet()
        try randomizeBatchNorms(model)
        let input = Tensor.uniform([3, 2, 8, 8], low: -1, high: 1)
        let kept = try ONNXExporter(model, inputShape: [2, 8, 8])
        let decoded = try DecodedModel(kept.serialized())
        XCTAssertEqual(decoded.opTypes, ["Conv", "BatchNormalization", "Relu", "Conv", "BatchNormalization", "Relu", "Conv", "Add", "Relu",
                                         "Conv", "Conv", "MaxPool", "Concat", "GlobalAveragePool", "Flatten", "Gemm"])
        let norm = decoded.nodes[1]
        XCTAssertEqual(norm.inputs.dropFirst(), ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"])
        XCTAssertEqual(norm.attributes["epsilon"]?.f, 1e-5)
        XCTAssertEqual(decoded.nodes[7].inputs.count, 2)
        XCTAssertEqual(decoded.nodes[7].inputs[1], decoded.nodes[2].outputs[0], "the skip connection reads the stem's ReLU")
        XCTAssertEqual(decoded.nodes[12].attributes["axis"]?.i, 1)
        XCTAssertEqual(decoded.nodes[9].attributes["pads"]?.intList, nil)
        XCTAssertEqual(decoded.nodes[10].attributes["pads"]?.intList, [1, 1, 1, 1])
        XCTAssertNil(decoded.initializers["bn.num_batches_tracked"], "only tensors the graph reads are written")
        XCTAssertEqual(decoded.metadata["swiftlet.batchnorm"], "kept")
        try assertComputesLikeTheModel(kept.serialized(), model, input)

        let folded = try ONNXExporter(model, inputShape: [2, 8, 8], foldingBatchNorms: true)
        let foldedModel = try DecodedModel(folded.serialized())
        XCTAssertFalse(foldedModel.opTypes.contains("BatchNormalization"))
        XCTAssertEqual(foldedModel.nodes[0].inputs, ["input", "stem.weight_folded", "stem.bias_folded"])
        XCTAssertEqual(foldedModel.nodes[2].inputs, [foldedModel.nodes[1].outputs[0], "conv1.weight_folded", "conv1.bias_folded"])
        XCTAssertEqual(foldedModel.metadata["swiftlet.batchnorm"], "folded")
        try assertComputesLikeTheModel(folded.serialized(), model, input, accuracy: 1e-4)
    }

    func testEveryOtherOpLowersAndComputesTheSame() throws {
        GlobalRandom.seed(3)
        let model = EveryOpNet()
        let bytes = try ONNXExporter(model, inputShape: [2, 7, 7]).serialized()
        let decoded = try DecodedModel(bytes)
        for op in ["Pad", "Conv", "AveragePool", "Sigmoid", "Mul", "Add", "Tanh", "Sub", "Exp", "Div", "Slice", "Log", "Concat",
                   "Transpose", "ReduceMean", "ReduceSum", "Reshape", "Flatten", "MatMul", "Softmax", "LogSoftmax"] {
            XCTAssertTrue(decoded.opTypes.contains(op), "\(op) missing from \(decoded.opTypes)")
        }
        XCTAssertEqual(decoded.nodes.first { $0.opType == "AveragePool" }?.attributes["count_include_pad"]?.i, 0)
        XCTAssertEqual(decoded.nodes.first { $0.opType == "Pad" }.flatMap { decoded.initializers[$0.inputs[1]]?.integers }, [0, 0, 1, 2, 0, 0, 2, 1])
        XCTAssertEqual(decoded.nodes.first { $0.opType == "ReduceMean" }?.attributes["axes"]?.intList, [2])
        let reshape = try XCTUnwrap(decoded.nodes.first { $0.opType == "Reshape" })
        XCTAssertEqual(decoded.initializers[reshape.inputs[1]]?.integers, [-1, 2, 2], "the batch stays free")
        XCTAssertEqual(decoded.producer(of: reshape.inputs[0])?.opType, "ReduceSum")
        XCTAssertEqual(decoded.initializers["gain"]?.dims, [4, 1, 1])
        try assertComputesLikeTheModel(bytes, model, .uniform([2, 2, 7, 7], low: -1, high: 1))
    }

    func testAFilterPrunedModelExportsItsSmallerShapes() throws {
        GlobalRandom.seed(4)
        let model = ResidualNet()
        try model.pruneChannels(inputShape: [2, 8, 8], fraction: 0.5)
        let bytes = try ONNXExporter(model, inputShape: [2, 8, 8]).serialized()
        let decoded = try DecodedModel(bytes)
        XCTAssertEqual(decoded.initializers["stem.weight"]?.dims, [3, 2, 3, 3], "the stem and the block's output lose half their channels together")
        XCTAssertEqual(decoded.initializers["conv1.weight"]?.dims, [3, 3, 3, 3])
        XCTAssertEqual(decoded.initializers["bn.running_var"]?.dims, [3])
        XCTAssertEqual(decoded.initializers["fc.weight"]?.dims[0], 4, "the classifier's outputs are kept")
        try assertComputesLikeTheModel(bytes, model, .uniform([2, 2, 8, 8], low: -1, high: 1))
    }

    func testADecomposedModelExportsItsTwoFactorsAsTwoLayers() throws {
        GlobalRandom.seed(5)
        let model = Self.smallNet()
        try decompose(model, layer: "fc1", .rank(3))
        try decompose(model, layer: "conv1", .rank(2))
        let bytes = try ONNXExporter(model, inputShape: [1, 12, 12]).serialized()
        let decoded = try DecodedModel(bytes)
        XCTAssertEqual(decoded.opTypes, ["Conv", "Conv", "MaxPool", "Relu", "Flatten", "Gemm", "Gemm", "Relu", "Gemm"])
        XCTAssertEqual(decoded.initializers["conv1.0.weight"]?.dims, [2, 1, 3, 3])
        XCTAssertEqual(decoded.initializers["conv1.1.weight"]?.dims, [4, 2, 1, 1])
        XCTAssertEqual(decoded.initializers["fc1.0.weight"]?.dims, [3, 100])
        XCTAssertEqual(decoded.initializers["fc1.1.weight"]?.dims, [16, 3])
        XCTAssertEqual(decoded.initializers["fc1.1.bias"]?.dims, [16])
        XCTAssertNil(decoded.initializers["fc1.weight"])
        try assertComputesLikeTheModel(bytes, model, .uniform([2, 1, 12, 12], low: -1, high: 1))
    }

    func testAnInt8ModelIsQDQWithExactlyTheEnginesGridsAndCodes() throws {
        GlobalRandom.seed(6)
        let model = ResidualNet()
        try randomizeBatchNorms(model)
        let calibration = (0..<2).map { _ in Tensor.uniform([8, 2, 8, 8], low: -1, high: 1) }
        let engine = try Int8InferenceModel(model, inputShape: [2, 8, 8], calibration: calibration)
        let exporter = try ONNXExporter(int8: engine)
        let decoded = try DecodedModel(exporter.serialized())
        XCTAssertEqual(decoded.metadata["swiftlet.export"], "int8 QDQ")
        XCTAssertFalse(decoded.opTypes.contains("BatchNormalization"), "the engine folds BatchNorms")

        // The input is quantized with the engine's own grid, as uint8 (codes 0…255).
        let first = decoded.nodes[0]
        XCTAssertEqual(first.opType, "QuantizeLinear")
        XCTAssertEqual(first.inputs[0], "input")
        XCTAssertEqual(decoded.initializers[first.inputs[1]]?.floats, [engine.inputGrid.parameters.scale])
        XCTAssertEqual(decoded.initializers[first.inputs[2]]?.dataType, 2)
        XCTAssertEqual(decoded.initializers[first.inputs[2]]?.integers, [Int64(engine.inputGrid.parameters.zeroPoint)])

        // Every conv and linear reads int8 weights: the engine's codes and scales, per output channel.
        let plan = engine.plan
        for (index, node) in plan.graph.nodes.enumerated() where node.op.isWeighted {
            let record = try XCTUnwrap(engine.weightRecords[index])
            let name = plan.graph.parameterName(of: node.inputs[1]) ?? "\(node.path).weight_folded"
            let dequantize = try XCTUnwrap(decoded.producer(of: name), name)
            XCTAssertEqual(dequantize.opType, "DequantizeLinear")
            XCTAssertEqual(dequantize.attributes["axis"]?.i, 0)
            let codes = try XCTUnwrap(decoded.initializers[dequantize.inputs[0]])
            XCTAssertEqual(codes.dataType, 3, "int8")
            XCTAssertEqual(codes.dims, record.shape)
            XCTAssertEqual(codes.integers, record.codes.map(Int64.init))
            XCTAssertEqual(decoded.initializers[dequantize.inputs[1]]?.floats, record.scales)
            if let units = record.biasUnits {
                let bias = try XCTUnwrap(decoded.producer(of: "\(node.path).bias_folded") ?? decoded.producer(of: "\(node.path).bias"))
                XCTAssertEqual(decoded.initializers[bias.inputs[0]]?.dataType, 6, "int32")
                XCTAssertEqual(decoded.initializers[bias.inputs[0]]?.integers, units.map(Int64.init))
                XCTAssertEqual(decoded.initializers[bias.inputs[1]]?.floats, record.accumulatorScales)
            }
        }
        // Each residual add and the concat are requantized to their grids (uint8 zero points).
        for op in ["Add", "Concat", "GlobalAveragePool"] {
            let node = try XCTUnwrap(decoded.nodes.first { $0.opType == op })
            let next = try XCTUnwrap(decoded.nodes.first { $0.inputs.first == node.outputs[0] })
            XCTAssertTrue(next.opType == "QuantizeLinear" || next.opType == "Relu", "\(op) is followed by \(next.opType)")
        }
        // What the QDQ graph computes is what the engine computes.
        let input = Tensor.uniform([5, 2, 8, 8], low: -1, high: 1)
        let expected = try engine(input)
        let actual = try ONNXReferenceRunner(model: decoded).run(input)
        let difference = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(difference, 1e-4, "the QDQ graph and the int8 engine")
        XCTAssertEqual(predictedClasses(actual), predictedClasses(expected))
    }

    func testQuantizedWeightsExportAsTheirFormatRoundsThem() throws {
        GlobalRandom.seed(7)
        let model = Self.smallNet()
        let input = Tensor.uniform([2, 1, 12, 12], low: -1, high: 1)
        try prepareQuantization(model, weights: .affine(.int8Weights))
        let eightBit = try ONNXExporter(model, inputShape: [1, 12, 12])
        XCTAssertEqual(eightBit.notes, [])
        let decoded = try DecodedModel(eightBit.serialized())
        let weight = try XCTUnwrap(decoded.producer(of: "fc1.weight"))
        XCTAssertEqual(weight.opType, "DequantizeLinear")
        XCTAssertEqual(decoded.initializers[weight.inputs[0]]?.dataType, 3)
        let quantized = try QuantizedTensor(quantizing: model.stateDict.first { $0.name == "fc1.weight" }!.tensor, as: .affine(.int8Weights))
        XCTAssertEqual(decoded.initializers[weight.inputs[0]]?.integers, quantized.codes.map(Int64.init))
        try assertComputesLikeTheModel(eightBit.serialized(), model, input)

        let fourBit = try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)
        try prepareQuantization(model, weights: .affine(fourBit), activations: .int8Activations)
        try calibrateQuantization(model, batches: [Tensor.uniform([8, 1, 12, 12], low: -1, high: 1)])
        let exporter = try ONNXExporter(model, inputShape: [1, 12, 12])
        XCTAssertEqual(exporter.notes, ["4-bit symmetric rounding per-channel weights of conv1, fc1, fc2 are written as float initializers holding their dequantized values"])
        let sub8 = try DecodedModel(exporter.serialized())
        XCTAssertEqual(sub8.docString, exporter.notes[0])
        XCTAssertEqual(sub8.initializers["fc1.weight"]?.floats,
                       try model.stateDict.first { $0.name == "fc1.weight" }!.tensor.fakeQuantized(as: .affine(fourBit)).scalars)
        XCTAssertEqual(sub8.opTypes.filter { $0 == "QuantizeLinear" }.count, 3, "each layer's 8-bit input quantizer")
        try assertComputesLikeTheModel(exporter.serialized(), model, input)
    }

    func testTheSameModelGivesTheSameBytes() throws {
        GlobalRandom.seed(8)
        let model = ResidualNet()
        try randomizeBatchNorms(model)
        let state = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, Tensor(shape: $0.tensor.shape, scalars: $0.tensor.scalars)) })
        let again = ResidualNet()
        try again.loadStateDict(state)
        XCTAssertEqual(try ONNXExporter(model, inputShape: [2, 8, 8]).serialized(), try ONNXExporter(again, inputShape: [2, 8, 8]).serialized())
        XCTAssertEqual(try ONNXExporter(model, inputShape: [2, 8, 8], foldingBatchNorms: true).serialized(),
                       try ONNXExporter(model, inputShape: [2, 8, 8], foldingBatchNorms: true).serialized())
        let calibration = [Tensor.uniform([8, 2, 8, 8], low: -1, high: 1)]
        XCTAssertEqual(try ONNXExporter(int8: model, inputShape: [2, 8, 8], calibration: calibration).serialized(),
                       try ONNXExporter(int8: again, inputShape: [2, 8, 8], calibration: calibration).serialized())
    }

    func testAnUnsupportedOpNamesItsModuleAndNothingIsWritten() throws {
        GlobalRandom.seed(9)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-onnx-\(UUID().uuidString)/model.onnx")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        XCTAssertThrowsError(try ONNXExporter(WithOpaque(), inputShape: [1, 6, 6]).write(to: url)) { error in
            XCTAssertEqual(error as? GraphError, .unsupportedOp(op: "Opaque.forward", path: "secret", moduleType: "Opaque", pass: "ONNX export",
                                                               reason: "it has no ONNX form: a module that computes outside Swiftlet's ops, a loss, or training-only behaviour cannot be exported"))
            XCTAssertTrue("\(error)".hasPrefix("ONNX export: op Opaque.forward in module \"secret\" (Opaque) is not supported"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing half-written")

        // A failed export leaves an earlier file as it was.
        try ONNXExporter(Self.smallNet(), inputShape: [1, 12, 12]).write(to: url)
        let before = try Data(contentsOf: url)
        XCTAssertThrowsError(try ONNXExporter(WithOpaque(), inputShape: [1, 6, 6]).write(to: url))
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["model.onnx"])
    }

    func testAReshapeThatMovesTheBatchIsAnError() throws {
        final class FoldsTheBatch: Module {
            let fc = Linear(4, 2)
            override func forward(_ x: Tensor) throws -> Tensor { try fc(x).reshaped([-1]) }
        }
        XCTAssertThrowsError(try ONNXExporter(FoldsTheBatch(), inputShape: [4])) { error in
            XCTAssertTrue("\(error)".contains("does not keep the batch as dimension 0"), "\(error)")
        }
    }
}
