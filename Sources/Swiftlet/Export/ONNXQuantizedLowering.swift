// The int8 engine's pipeline as an ONNX QDQ graph: float operators between
// QuantizeLinear/DequantizeLinear pairs that hold exactly the engine's grids, which ONNX
// Runtime fuses into its integer kernels (QLinearConv, QGemm, QLinearAdd, …).
//
// - the input is quantized once, with the engine's input grid;
// - every value a later op reads, and (mostly) every value an op makes new codes for,
//   passes through QuantizeLinear → DequantizeLinear with its group's scale and zero point.
//   Max-pools, reshapes and ReLUs share their input's grid in the engine; quantizing to that
//   grid commutes with them (they are monotone), and a ReLU on dequantized codes is the
//   engine's clamp at the zero point, so the float ops between the pairs give the engine's
//   codes exactly, wherever along such a chain the pair stands (`needsRequantizing`);
// - weights are int8 symmetric per-channel codes (DequantizeLinear, axis 0), exactly the
//   codes the engine multiplies; a hidden layer's bias is int32 in accumulator units,
//   round(b/(s_in·s_w)), with scale s_in·s_w: what the engine adds;
// - the output layer stays in float after its product, with its float bias, as in the engine.
//
// Asymmetric activation grids (codes 0…255, what `swiftlet quantize --activations` and
// calibration give) are uint8 zero points; the engine holds the same codes shifted by −128.

extension ONNXLowering {
    /// Lowers the folded graph `engine` was compiled from, with its grids and int8 weights.
    mutating func lowerInt8(_ engine: Int8InferenceModel) throws {
        let plan = engine.plan
        var gridNames: [Int: (scale: String, zeroPoint: String)] = [:]

        /// QuantizeLinear → DequantizeLinear of `x` (graph value `value`) on its group's grid.
        func requantize(_ x: String, value: Int, scope: String) throws -> String {
            let key = plan.group[value]
            guard let grid = engine.grids[key] else {
                throw QuantizationError.noGridInPlan(value: value)
            }
            let initializers: (scale: String, zeroPoint: String)
            if let known = gridNames[key] {
                initializers = known
            } else {
                let base = graph.producer(of: key).map { "\(self.scope(graph.nodes[$0]))/\(graph.nodes[$0].op.name)" } ?? "input"
                let zeroPoint: ONNXTensor
                switch (grid.scheme.mapping, grid.parameters.zeroPoint) {
                case let (.asymmetric, z) where (0...255).contains(z):
                    zeroPoint = ONNXTensor(name: "\(base)_zero_point", uint8s: [UInt8(z)], dims: [])
                case let (.symmetric, z) where (-128...127).contains(z):
                    zeroPoint = ONNXTensor(name: "\(base)_zero_point", int8s: [Int8(z)], dims: [])
                default:
                    throw QuantizationError.gridNotExportable(value: value, scheme: grid.scheme, zeroPoint: grid.parameters.zeroPoint)
                }
                initializers = (builder.addInitializer(ONNXTensor(name: "\(base)_scale", floats: [grid.parameters.scale], dims: [])),
                                builder.addInitializer(zeroPoint))
                gridNames[key] = initializers
            }
            let codes = builder.addNode("QuantizeLinear", [x, initializers.scale, initializers.zeroPoint], scope: scope, output: "\(x)_q")
            return builder.addNode("DequantizeLinear", [codes, initializers.scale, initializers.zeroPoint], scope: scope, output: "\(x)_dq")
        }

        names[graph.input] = try requantize(Self.inputName, value: graph.input, scope: "input")
        for (index, node) in graph.nodes.enumerated() {
            let scope = scope(node)
            var operands = try node.inputs.prefix(node.op.isWeighted ? 1 : node.inputs.count).map { value -> String in
                guard let name = names[value] else {
                    throw graph.unsupported(node, by: pass, "its operand %\(value) is not an int8 value of the engine")
                }
                return name
            }
            if plan.kinds[index] == .weighted {
                guard let record = engine.weightRecords[index] else {
                    throw graph.unsupported(node, by: pass, "the engine has no int8 weights for it")
                }
                operands += weightAndBias(node, record)
            }
            let result = try emit(node, operands)
            let keepsFloat = plan.floatOutputGroups.contains(plan.group[node.output])
            names[node.output] = keepsFloat || !needsRequantizing(node.output, plan) ? result : try requantize(result, value: node.output, scope: scope)
        }
    }

    /// Whether `value` gets its own QuantizeLinear → DequantizeLinear. A value of a chain of
    /// max-pools, ReLUs and reshapes needs none when its single reader is the next op of the
    /// chain: quantizing to one grid commutes with those ops, so a pair further along gives
    /// the engine's codes. Pairs stand where ONNX Runtime fuses DequantizeLinear → op →
    /// QuantizeLinear into an integer kernel: right after an op that makes codes, or after the
    /// ReLU that directly follows a Conv or Add (Conv → Relu → QuantizeLinear fuses, the ReLU
    /// being the clamp at the zero point; Gemm → Relu does not).
    private func needsRequantizing(_ value: Int, _ plan: Int8Plan) -> Bool {
        let readers = graph.consumers(of: value)
        guard value != graph.output, readers.count == 1, plan.kinds[readers[0]].passesCodes else { return true }
        func fusesReLU(_ node: Int) -> Bool {
            switch graph.nodes[node].op {
            case .conv2d, .add: return true
            default: return false
            }
        }
        guard let producer = graph.producer(of: value) else { return true }
        if !plan.kinds[producer].passesCodes { return !(fusesReLU(producer) && plan.kinds[readers[0]] == .relu) }
        guard plan.kinds[producer] == .relu, let before = graph.producer(of: graph.nodes[producer].inputs[0]) else { return false }
        return !plan.kinds[before].passesCodes && fusesReLU(before)
    }

    /// The DequantizeLinear nodes of a weighted op's int8 weight and int32 bias (or its
    /// float bias, for the output layer); returns their outputs, named like the layer's tensors.
    private mutating func weightAndBias(_ node: ModelGraph.Node, _ record: Int8WeightRecord) -> [String] {
        let scope = scope(node), outputs = record.scales.count
        let weightName = graph.parameterName(of: node.inputs[1]) ?? "\(node.path).weight_folded"
        let codes = builder.addInitializer(ONNXTensor(name: "\(weightName)_quantized", int8s: record.codes, dims: record.shape))
        let scales = builder.addInitializer(ONNXTensor(name: "\(weightName)_scale", floats: record.scales, dims: [outputs]))
        // Zero points are 0, DequantizeLinear's default, and left out — except a Gemm's
        // weight's: ONNX Runtime fuses a Gemm into QGemm only when they are given.
        var weightInputs = [codes, scales]
        if case .linear = node.op {
            weightInputs.append(builder.addInitializer(ONNXTensor(name: "\(weightName)_zero_point", int8s: Array(repeating: 0, count: outputs), dims: [outputs])))
        }
        let weight = builder.addNode("DequantizeLinear", weightInputs, scope: scope, output: weightName, attributes: [.int("axis", 0)])
        let biasName = node.inputs.count > 2 ? graph.parameterName(of: node.inputs[2]) ?? "\(node.path).bias_folded" : "\(node.path).bias"
        if let units = record.biasUnits {
            let codes = builder.addInitializer(ONNXTensor(name: "\(biasName)_quantized", int32s: units, dims: [outputs]))
            let scales = builder.addInitializer(ONNXTensor(name: "\(biasName)_scale", floats: record.accumulatorScales, dims: [outputs]))
            return [weight, builder.addNode("DequantizeLinear", [codes, scales], scope: scope, output: biasName, attributes: [.int("axis", 0)])]
        }
        if let bias = record.floatBias {
            return [weight, builder.addInitializer(ONNXTensor(name: biasName, floats: bias, dims: [outputs]))]
        }
        return [weight]
    }
}
