// Each op of a traced graph as ONNX operators (opset 17), computing in float:
//
//   conv2d → Conv          linear → Gemm(transB = 1)    matmul → MatMul
//   add/sub/mul/div → Add/Sub/Mul/Div (numpy broadcasting, as Swiftlet's)
//   affine → Mul and Add by scalars                     relu/sigmoid/tanh/exp/log → Relu/…
//   maxPool2d → MaxPool    avgPool2d → AveragePool(count_include_pad)
//   globalAvgPool2d → GlobalAveragePool                 batchNorm → BatchNormalization
//   reshape → Flatten(axis 1) or Reshape([-1, …])       permute → Transpose
//   concat → Concat        pad → Pad                    slice → Slice
//   sum → ReduceSum (axes as an input since opset 13)   mean → ReduceMean (axes an attribute until opset 18)
//   softmax/logSoftmax → Softmax/LogSoftmax (one axis, opset 13's meaning)
//
// A traced graph has the traced batch size in its shapes; the ONNX graph has a dynamic batch
// dimension, so a reshape of an activation keeps dimension 0 free (-1) and every other shape
// attribute comes from the op itself, which does not mention the batch.

/// Lowers a traced graph node by node into an `ONNXGraphBuilder`.
struct ONNXLowering {
    let graph: ModelGraph
    let pass = "ONNX export"
    var builder = ONNXGraphBuilder()
    /// The ONNX name holding each graph value, once it has one.
    var names: [Int: String] = [:]
    /// Values computed from the input (the others are parameters, constants and what ops make of them alone).
    let dynamic: [Bool]
    /// Dynamic values whose dimension 0 is still the batch.
    let batchFirst: [Bool]

    static let inputName = "input"
    static let outputName = "output"

    /// Whether BatchNorms were folded, so that a conv2d or linear op's constant weight is a folded one.
    let folded: Bool

    init(_ graph: ModelGraph, folded: Bool) {
        self.graph = graph
        self.folded = folded
        var dynamic = [Bool](repeating: false, count: graph.values.count)
        var batchFirst = dynamic
        dynamic[graph.input] = true
        batchFirst[graph.input] = true
        for node in graph.nodes {
            let isDynamic = node.inputs.contains { dynamic[$0] }
            dynamic[node.output] = isDynamic
            // Ops that move or remove dimension 0 end the batch's place there.
            var keepsBatch = isDynamic && node.inputs.filter { dynamic[$0] }.allSatisfy { batchFirst[$0] }
            switch node.op {
            case let .permute(axes): keepsBatch = keepsBatch && axes.first == 0
            case let .sum(axes, _), let .mean(axes, _): keepsBatch = keepsBatch && !axes.contains(0)
            case let .reshape(shape): keepsBatch = keepsBatch && shape.first == graph.batchSize
            case .matmul: keepsBatch = dynamic[node.inputs[0]] && batchFirst[node.inputs[0]]
            default: break
            }
            batchFirst[node.output] = keepsBatch
        }
        self.dynamic = dynamic
        self.batchFirst = batchFirst
        _ = builder.uniqueName(Self.inputName)
        _ = builder.uniqueName(Self.outputName)
        names[graph.input] = Self.inputName
    }

    /// The module path an op's nodes are named after.
    func scope(_ node: ModelGraph.Node) -> String { node.path.isEmpty ? "model" : node.path }

    /// The ONNX name of value `value`: a parameter becomes an initializer under its state-dict
    /// name on first use, a constant one named after the op that reads it.
    mutating func operand(_ value: Int, of node: ModelGraph.Node, slot: Int) throws -> String {
        if let name = names[value] { return name }
        let info = graph.values[value]
        guard let tensor = info.tensor else {
            throw graph.unsupported(node, by: pass, "operand \(slot) (value %\(value)) is used before it is computed")
        }
        let base: String
        switch info.source {
        case let .parameter(name): base = name
        case .constant where node.op.isWeighted && slot > 0:
            base = "\(node.path).\(slot == 1 ? "weight" : "bias")\(folded ? "_folded" : "_constant")"
        default: base = "\(scope(node))/constant"
        }
        let name = builder.addInitializer(ONNXTensor(name: base, floats: tensor.scalars, dims: tensor.shape))
        names[value] = name
        return name
    }

    /// An int64 initializer (shapes, axes, pads) named after the op that reads it.
    mutating func int64s(_ values: [Int], _ node: ModelGraph.Node, _ what: String) -> String {
        builder.addInitializer(ONNXTensor(name: "\(scope(node))/\(what)", int64s: values.map(Int64.init), dims: [values.count]))
    }

    /// A float scalar initializer named after the op that reads it.
    mutating func scalar(_ value: Float, _ node: ModelGraph.Node, _ what: String) -> String {
        builder.addInitializer(ONNXTensor(name: "\(scope(node))/\(what)", floats: [value], dims: []))
    }

    /// Emits `node`'s op on the ONNX values `x` (its operands, in `GraphOp`'s order) and
    /// returns the name of its result.
    mutating func emit(_ node: ModelGraph.Node, _ x: [String]) throws -> String {
        let scope = scope(node)
        func add(_ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = []) -> String {
            builder.addNode(opType, inputs, scope: scope, attributes: attributes)
        }
        // Attributes at their ONNX defaults (dilations 1, group 1, pads 0) are left out.
        func pads(_ padding: Size2D) -> [ONNXAttribute] {
            padding.height == 0 && padding.width == 0 ? [] : [.ints("pads", [padding.height, padding.width, padding.height, padding.width])]
        }
        func window(_ kernel: Size2D, _ stride: Size2D, _ padding: Size2D) -> [ONNXAttribute] {
            [.ints("kernel_shape", [kernel.height, kernel.width])] + pads(padding) + [.ints("strides", [stride.height, stride.width])]
        }
        switch node.op {
        case let .conv2d(stride, padding, dilation, groups):
            let weight = graph.values[node.inputs[1]].shape
            guard weight.count == 4 else { throw graph.unsupported(node, by: pass, "its weight has shape \(weight), expected [out, in/groups, kh, kw]") }
            let dilations: [ONNXAttribute] = dilation.height == 1 && dilation.width == 1 ? [] : [.ints("dilations", [dilation.height, dilation.width])]
            return add("Conv", x, dilations + (groups == 1 ? [] : [.int("group", groups)])
                                  + window(Size2D(weight[2], weight[3]), stride, padding))
        case .linear:
            return add("Gemm", x, [.int("transB", 1)])
        case .matmul: return add("MatMul", x)
        case .add: return add("Add", x)
        case .sub: return add("Sub", x)
        case .mul: return add("Mul", x)
        case .div: return add("Div", x)
        case let .affine(scale, shift):
            var result = x[0]
            if scale != 1 { result = add("Mul", [result, scalar(scale, node, "scale")]) }
            if shift != 0 || result == x[0] { result = add("Add", [result, scalar(shift, node, "shift")]) }
            return result
        case .relu: return add("Relu", x)
        case .sigmoid: return add("Sigmoid", x)
        case .tanh: return add("Tanh", x)
        case .exp: return add("Exp", x)
        case .log: return add("Log", x)
        case let .maxPool2d(kernel, stride, padding): return add("MaxPool", x, window(kernel, stride, padding))
        case let .avgPool2d(kernel, stride, padding, countIncludePad):
            return add("AveragePool", x, [.int("count_include_pad", countIncludePad ? 1 : 0)] + window(kernel, stride, padding))
        case .globalAvgPool2d: return add("GlobalAveragePool", x)
        case let .batchNorm(epsilon): return add("BatchNormalization", x, [.float("epsilon", epsilon)])
        case let .reshape(shape): return try reshape(node, x[0], to: shape)
        case let .permute(axes): return add("Transpose", x, [.ints("perm", axes)])
        case let .concat(axis): return add("Concat", x, [.int("axis", axis)])
        case let .pad(before, after, value):
            return add("Pad", [x[0], int64s(before + after, node, "pads"), scalar(value, node, "value")])  // mode "constant"
        case let .slice(axis, start, end):
            return add("Slice", [x[0], int64s([start], node, "starts"), int64s([end], node, "ends"), int64s([axis], node, "axes")])
        case let .sum(axes, keep):
            guard !axes.isEmpty else { return add("Identity", x) }
            return add("ReduceSum", [x[0], int64s(axes, node, "axes")], [.int("keepdims", keep ? 1 : 0)])
        case let .mean(axes, keep):
            guard !axes.isEmpty else { return add("Identity", x) }
            return add("ReduceMean", x, [.ints("axes", axes), .int("keepdims", keep ? 1 : 0)])
        case let .softmax(axis): return add("Softmax", x, [.int("axis", axis)])
        case let .logSoftmax(axis): return add("LogSoftmax", x, [.int("axis", axis)])
        case .other:
            throw graph.unsupported(node, by: pass, "it has no ONNX form: a module that computes outside Swiftlet's ops, a loss, or training-only behaviour cannot be exported")
        }
    }

    /// A reshape: static for a value that does not depend on the input; for an activation,
    /// `Flatten(axis 1)` where it flattens each image, else `Reshape` with the batch as -1.
    private mutating func reshape(_ node: ModelGraph.Node, _ x: String, to shape: [Int]) throws -> String {
        let input = node.inputs[0], scope = scope(node)
        guard dynamic[input] else {
            return builder.addNode("Reshape", [x, int64s(shape, node, "shape")], scope: scope)
        }
        let from = graph.values[input].shape
        guard batchFirst[input], shape.first == graph.batchSize, from.first == graph.batchSize else {
            throw graph.unsupported(node, by: pass, "the reshape of \(from) to \(shape) does not keep the batch as dimension 0, which a model with a dynamic batch size needs")
        }
        if shape.count == 2, from.count >= 2 {
            return builder.addNode("Flatten", [x], scope: scope, attributes: [.int("axis", 1)])
        }
        return builder.addNode("Reshape", [x, int64s([-1] + shape.dropFirst(), node, "shape")], scope: scope)
    }

    /// The ONNX shape of a value: dimension 0 named "batch" where it is the batch.
    func onnxShape(of value: Int) -> [ONNXValueInfo.Dimension] {
        let shape = graph.values[value].shape
        return shape.enumerated().map { axis, size in
            axis == 0 && batchFirst[value] && size == graph.batchSize ? .parameter("batch") : .value(size)
        }
    }

    /// Gives the graph's output the name "output" (through an Identity when it is the input
    /// or an initializer) and returns the finished graph.
    mutating func finish(name: String) -> ONNXGraph {
        let outputName: String
        if let name = names[graph.output], builder.isNodeOutput(name) {
            builder.renameValue(name, to: Self.outputName)
            outputName = Self.outputName
        } else {
            // The model returns its input, or a tensor of its own.
            let source = names[graph.output] ?? graph.values[graph.output].tensor.map {
                builder.addInitializer(ONNXTensor(name: "model/constant", floats: $0.scalars, dims: $0.shape))
            } ?? Self.inputName
            outputName = builder.addNode("Identity", [source], scope: "model", output: Self.outputName)
        }
        return ONNXGraph(name: name, nodes: builder.nodes, initializers: builder.initializers,
                         inputs: [ONNXValueInfo(name: Self.inputName, elementType: .float, shape: onnxShape(of: graph.input))],
                         outputs: [ONNXValueInfo(name: outputName, elementType: .float, shape: onnxShape(of: graph.output))])
    }
}
