import SwiftletKernels

/// How a folded graph becomes the int8 pipeline: which values share one int8 grid, where
/// each grid comes from, and the step each op turns into.
///
/// An op that makes new codes (conv2d, linear, add, concat, global average pool, and the
/// input's quantization) starts a *group*; max-pools, reshapes and ReLUs pass codes on in
/// their input's group. A group's grid is the one at the end of its chain of single
/// consumers, so its op requantizes straight to what the next layer reads.
struct Int8Plan {
    typealias Grid = Int8InferenceModel.Grid

    /// What an op is in the pipeline.
    enum Kind: Equatable {
        case weighted, add, globalAvgPool, concat, maxPool, reshape, relu
        /// Ops that pass their input's codes on under the same grid.
        var passesCodes: Bool { self == .maxPool || self == .reshape || self == .relu }
    }

    let graph: ModelGraph
    let modules: [String: Module]
    let kinds: [Kind]
    /// For every value, the first value of its group (the op result or input whose grid it shares).
    let group: [Int]
    /// For each group, the last value of its chain: where its grid is read off.
    let groupEnds: [Int: Int]
    /// Groups whose chain has a ReLU, applied as the lower clamp of the op that starts them.
    let fusedReLU: Set<Int>
    /// The group of the weighted op whose float accumulators are the model's output.
    let floatOutputGroups: Set<Int>

    init(_ graph: ModelGraph, modules: [String: Module]) throws {
        self.graph = graph
        self.modules = modules
        kinds = try graph.nodes.map { try Self.kind(of: $0, in: graph) }
        var group = Array(graph.values.indices)
        for (node, kind) in zip(graph.nodes, kinds) where kind.passesCodes { group[node.output] = group[node.inputs[0]] }
        self.group = group
        var ends: [Int: Int] = [:], fused = Set<Int>(), floatOutput = Set<Int>()
        let starts = [graph.input] + zip(graph.nodes, kinds).filter { !$1.passesCodes }.map(\.0.output)
        for start in starts {
            var end = start, sawReLU = false, onlyReshapes = true
            while end != graph.output, case let readers = graph.consumers(of: end), readers.count == 1, kinds[readers[0]].passesCodes {
                sawReLU = sawReLU || kinds[readers[0]] == .relu
                onlyReshapes = onlyReshapes && kinds[readers[0]] == .reshape
                end = graph.nodes[readers[0]].output
            }
            ends[start] = end
            if sawReLU && start != graph.input { fused.insert(start) }
            if end == graph.output, onlyReshapes, let producer = graph.producer(of: start), kinds[producer] == .weighted {
                floatOutput.insert(start)
            }
        }
        groupEnds = ends
        fusedReLU = fused
        floatOutputGroups = floatOutput
    }

    private static func kind(of node: ModelGraph.Node, in graph: ModelGraph) throws -> Kind {
        let pass = "Int8InferenceModel"
        switch node.op {
        case let .conv2d(_, _, _, groups):
            guard groups == 1 else { throw graph.unsupported(node, by: pass, "int8 convolution needs groups = 1, got \(groups)") }
            return .weighted
        case .linear: return .weighted
        case .add:
            guard graph.values[node.inputs[0]].shape == graph.values[node.inputs[1]].shape else {
                throw graph.unsupported(node, by: pass, "int8 add needs operands of one shape, got \(graph.values[node.inputs[0]].shape) and \(graph.values[node.inputs[1]].shape)")
            }
            return .add
        case .globalAvgPool2d: return .globalAvgPool
        case let .mean(axes, _) where axes == [2, 3] && graph.values[node.inputs[0]].shape.count == 4: return .globalAvgPool
        case let .concat(axis) where axis == 1: return .concat
        case .maxPool2d: return .maxPool
        case .reshape: return .reshape
        case .relu: return .relu
        case .batchNorm:
            throw graph.unsupported(node, by: pass, "a BatchNorm folds only into a conv2d or linear op whose result it alone reads")
        default:
            throw graph.unsupported(node, by: pass, "the int8 engine runs conv2d, linear, add, concat along channels, max-pool, global average pool, reshape and ReLU")
        }
    }

    /// The grids that layers' calibrated or trained input quantizers give: a group takes the
    /// grid of the first weighted op its end value reaches through code-passing ops.
    func gridsFromQuantizers(_ modules: [String: Module]) throws -> [Int: Grid] {
        var grids: [Int: Grid] = [:]
        for (start, end) in groupEnds {
            var frontier = [end]
            search: while let value = frontier.popLast() {
                for reader in graph.consumers(of: value) {
                    let node = graph.nodes[reader]
                    if kinds[reader].passesCodes { frontier.append(node.output); continue }
                    guard kinds[reader] == .weighted, node.inputs[0] == value,
                          let quantizer = (modules[node.path] as? Quantizable)?.quantization?.inputQuantizer,
                          let parameters = quantizer.parameters else { continue }
                    let scheme = quantizer.scheme
                    guard scheme.bits == 8, scheme.rounding == .nearest else {
                        throw QuantizationError.unsupportedActivations(layer: node.path, scheme: scheme)
                    }
                    if let problem = scheme.problem(with: parameters) {
                        throw QuantizationError.invalidParameters(owner: "Int8InferenceModel: layer \(node.path)'s input", problem: problem)
                    }
                    grids[start] = Grid(scheme: scheme, parameters: parameters)
                    break search
                }
            }
        }
        return grids
    }

    /// Grids for the groups `ends` (start → end value) from the min-max range of their end
    /// values over `calibration`, run through the graph with the weights the engine uses.
    func observeGrids<Batches: Sequence>(_ ends: [Int: Int], calibration: Batches) throws -> [Int: Grid] where Batches.Element == Tensor {
        let observers = Dictionary(uniqueKeysWithValues: ends.values.map { ($0, MinMaxObserver()) })
        let weights = try withNoGrad {
            Dictionary(uniqueKeysWithValues: try graph.nodes.indices.filter { kinds[$0] == .weighted }.map { ($0, try effectiveWeight(of: $0)) })
        }
        try withNoGrad {
            for batch in calibration {
                _ = try graph.run(batch, weights: weights) { value, tensor in observers[value]?.observe(tensor.scalars) }
                if let observer = observers[graph.input] { observer.observe(batch.scalars) }
            }
        }
        var grids: [Int: Grid] = [:]
        for (start, end) in ends.sorted(by: { $0.key < $1.key }) {
            guard let range = observers[end]?.range else {
                func describe(_ node: ModelGraph.Node) -> String { "\(node.op.name) in \"\(node.path)\"" }
                let maker = graph.producer(of: start).map { describe(graph.nodes[$0]) } ?? "the input quantization"
                let readers = graph.consumers(of: end).map { describe(graph.nodes[$0]) }.joined(separator: ", ")
                throw QuantizationError.missingGrid(tensor: "the int8 tensor made by \(maker) and read by \(readers.isEmpty ? "nothing" : readers)")
            }
            grids[start] = Grid(scheme: .int8Activations, parameters: QuantizationScheme.int8Activations.parameters(minimum: range.min, maximum: range.max))
        }
        return grids
    }

    /// The weight of a conv2d or linear node as the engine multiplies it: its (folded) value
    /// rounded by its layer's format (8-bit per channel for a layer without one).
    func effectiveWeight(of index: Int) throws -> Tensor {
        let node = graph.nodes[index]
        guard let weight = graph.values[node.inputs[1]].tensor else {
            throw graph.unsupported(node, by: "Int8InferenceModel", "its weight is computed during the forward pass, not a parameter")
        }
        let format = (modules[node.path] as? Quantizable)?.quantization?.weightFormat ?? .affine(.int8Weights)
        return try weight.fakeQuantized(as: format).detached()
    }

    /// The pipeline's steps, the bytes a deployment stores, and each weighted node's int8
    /// weights and bias (by node index) as the steps compute with them.
    func steps(grids: [Int: Grid]) throws -> ([Int8InferenceModel.Step], storedBytes: Int, weights: [Int: Int8WeightRecord]) {
        func grid(_ value: Int) -> Grid { grids[group[value]]! }  // every non-output group got one
        var steps: [Int8InferenceModel.Step] = []
        var records: [Int: Int8WeightRecord] = [:]
        var bytes = 8 * grids.count
        for (index, node) in graph.nodes.enumerated() {
            let (input, output) = (node.inputs[0], node.output)
            let fused = fusedReLU.contains(group[output])
            switch kinds[index] {
            case .weighted:
                let isLast = floatOutputGroups.contains(output)
                let bias = node.inputs.count > 2 ? graph.values[node.inputs[2]].tensor?.scalars : nil
                let (layer, codes, record) = try makeWeightLayer(node.path, weights: try effectiveWeight(of: index), bias: bias,
                                                                 input: grid(input), output: isLast ? nil : grid(output), fusedReLU: fused)
                records[index] = record
                bytes += codes.count + 4 * layer.outputs + (bias == nil ? 0 : 4 * layer.outputs)
                let window = codes.count / max(layer.outputs, 1)
                // The direct convolution pads kernel rows to groups of 4: up to 4× the window.
                let windowLimit = Int8PackedWeights.depthLimit / 4 - 32
                guard window <= windowLimit else {
                    throw graph.unsupported(node, by: "Int8InferenceModel", "it sums \(window) products per output; int8 inference supports at most \(windowLimit)")
                }
                if let g = graph.convolutionGeometry(ofNode: index) {
                    steps.append(.conv(input: input, output: output, layer, Int8Convolution(g, filters: codes, paddingCode: layer.inputZeroPoint),
                                       pooling: nil))
                } else {
                    let depth = int8PaddedDepth(window)
                    var padded = [Int8](repeating: 0, count: layer.outputs * depth)
                    for j in 0..<layer.outputs { for p in 0..<window { padded[j * depth + p] = codes[j * window + p] } }
                    steps.append(.linear(input: input, output: output, layer,
                                         Int8PackedWeights(padded, rows: layer.outputs, depth: depth, ldw: depth), window: window))
                }
            case .add:
                steps.append(.add(left: input, right: node.inputs[1], output: output,
                                  .init(from: grid(input), to: grid(output), fusedReLU: fused),
                                  .init(from: grid(node.inputs[1]), to: grid(output), fusedReLU: fused)))
            case .globalAvgPool:
                let spatial = graph.values[input].shape.dropFirst(2).reduce(1, *)
                steps.append(.globalAvgPool(input: input, output: output, spatial: spatial,
                                            .init(from: grid(input), to: grid(output), divisor: Float(spatial), fusedReLU: fused)))
            case .concat:
                steps.append(.concat(inputs: node.inputs, output: output,
                                     planes: node.inputs.map { graph.values[$0].shape.dropFirst().reduce(1, *) },
                                     node.inputs.map { .init(from: grid($0), to: grid(output), fusedReLU: fused) }))
            case .maxPool:
                guard case let .maxPool2d(kernel, stride, padding) = node.op else { continue }
                let shape = graph.values[input].shape
                steps.append(.maxPool(input: input, output: output, Pool2dGeometry(
                    batch: 1, channels: shape[1], inHeight: shape[2], inWidth: shape[3], kernelHeight: kernel.height, kernelWidth: kernel.width,
                    strideHeight: stride.height, strideWidth: stride.width, paddingHeight: padding.height, paddingWidth: padding.width)))
            case .reshape:
                steps.append(.alias(input: input, output: output))
            case .relu:
                steps.append(fused ? .alias(input: input, output: output) : .clamp(input: input, output: output, lower: Int8(grid(input).zeroPoint)))
            }
        }
        if !floatOutputGroups.contains(group[graph.output]) {
            steps.append(.dequantize(input: graph.output, grid(graph.output)))
        }
        return (steps, bytes, records)
    }
}

/// One conv2d or linear op's int8 form as the engine computes with it; export writes these.
struct Int8WeightRecord {
    let shape: [Int]
    /// Int8 symmetric per-channel codes (axis 0) and their scales.
    let codes: [Int8]
    let scales: [Float]
    /// s_in·s_w per output channel: the value of one accumulator unit.
    let accumulatorScales: [Float]
    /// A hidden layer's bias in accumulator units, round(b / (s_in·s_w)); nil without a bias
    /// or for the output layer.
    let biasUnits: [Int32]?
    /// The output layer's float bias, added to its dequantized accumulators; nil without one.
    let floatBias: [Float]?
}

/// The integer epilogue of one weighted op and its int8 weights [outputs, window].
private func makeWeightLayer(
    _ name: String, weights effective: Tensor, bias: [Float]?, input: Int8InferenceModel.Grid,
    output: Int8InferenceModel.Grid?, fusedReLU: Bool
) throws -> (Int8InferenceModel.WeightLayer, codes: [Int8], Int8WeightRecord) {
    // The weights the layer computes with, as int8 symmetric per channel.
    let quantized = try QuantizedTensor(quantizing: effective, as: .affine(.int8Weights))
    let outputs = effective.shape[0], window = effective.count / max(outputs, 1)
    var weights = [Int8](repeating: 0, count: outputs * window)
    var rowSums = [Int32](repeating: 0, count: outputs)
    for j in 0..<outputs {
        for p in 0..<window {
            let code = quantized.codes[j * window + p]
            weights[j * window + p] = Int8(code)
            rowSums[j] += code
        }
    }
    let inputZeroPoint = input.zeroPoint
    let accumulatorScales = quantized.scales.map { input.parameters.scale * $0 }
    let floatBias = bias ?? [Float](repeating: 0, count: outputs)
    let zeroCorrection = rowSums.map { -inputZeroPoint * $0 }
    guard let output else {
        let record = Int8WeightRecord(shape: effective.shape, codes: weights, scales: quantized.scales, accumulatorScales: accumulatorScales,
                                      biasUnits: nil, floatBias: bias)
        return (.init(name: name, outputs: outputs, inputZeroPoint: Int8(inputZeroPoint),
                      bias: zeroCorrection, multipliers: [], outputZeroPoint: 0, outputBounds: (0, 0),
                      dequantScales: accumulatorScales, floatBias: floatBias, isLast: true), weights, record)
    }
    let bounds = output.bounds
    let lower = fusedReLU ? Int8(max(output.zeroPoint, Int32(bounds.lower))) : bounds.lower
    let biasUnits = (0..<outputs).map { j -> Int32 in
        // 0/0 when an accumulator unit underflows to zero: no finite bias to keep.
        let units = (floatBias[j] / accumulatorScales[j]).rounded(.toNearestOrEven)
        return units.isNaN ? 0 : Int32(max(min(units, 1e9), -1e9))
    }
    let biasCodes = (0..<outputs).map { biasUnits[$0] + zeroCorrection[$0] }
    let record = Int8WeightRecord(shape: effective.shape, codes: weights, scales: quantized.scales, accumulatorScales: accumulatorScales,
                                  biasUnits: bias == nil ? nil : biasUnits, floatBias: nil)
    return (.init(name: name, outputs: outputs, inputZeroPoint: Int8(inputZeroPoint),
                  bias: biasCodes, multipliers: accumulatorScales.map { finiteMultiplier($0 / output.parameters.scale) }, outputZeroPoint: output.zeroPoint,
                  outputBounds: (lower, bounds.upper), dequantScales: [], floatBias: [], isLast: false), weights, record)
}
