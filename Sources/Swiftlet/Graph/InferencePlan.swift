import SwiftletKernels

// Inference the way a deployment runtime prepares a graph. ONNX Runtime folds each BatchNorm
// into the convolution before it and runs the ReLU — and a residual add before it — inside
// the convolution's kernel. Swiftlet's eager forward cannot do that for a model of the user's
// own: a ResNet block calls conv, bn, relu and + one at a time, and each is a pass that reads
// the whole batch's activations back from memory (a quarter of a ResNet-20's inference time).
// The traced graph sees across modules, so the plan folds the BatchNorms
// (`foldingBatchNorms`) and gives each conv2d or linear node the ops that alone read its
// result: a residual add, a ReLU, a max pooling, applied image by image while the
// convolution's output is still in cache.

/// A model traced once and prepared for inference: BatchNorms folded into the conv2d or linear
/// op before them, and every conv2d run together with the residual add, ReLU and max pooling
/// that follow it, every linear with its ReLU.
///
///     let plan = try InferencePlan(model, inputShape: [3, 32, 32])
///     let logits = try plan(images)   // as model(images) in evaluation mode
///
/// It computes what the model computes in evaluation mode, up to the rounding of the folded
/// weights (the fused adds, ReLUs and poolings are bit for bit the unfused ones), for batches
/// of any size. It is a snapshot: it holds the folded weights, so rebuild it after the model's
/// weights change. Ops the graph runner does not know make the initialiser throw.
public struct InferencePlan {
    /// The model's traced graph with its BatchNorms folded, whose nodes the plan runs.
    public let graph: ModelGraph
    /// What each step does: `node`, plus the nodes whose work it absorbed.
    struct Step {
        let node: Int
        var residual: Int?
        var relu = false
        var pooling: MaxPoolingWindow?
        /// Nodes absorbed, in order; the step's result is the last one's output.
        var absorbed: [Int] = []
    }

    let steps: [Step]
    /// Each step's operand values and result value, for `ModelGraph.run(_:steps:evaluate:)`.
    private let operands: [(inputs: [Int], output: Int)]
    /// By conv2d node: its weight, as it was when the plan was made, in the form the
    /// convolution multiplies with (for the traced image size), as ONNX Runtime pre-packs.
    private let preparedWeights: [Int: PreparedWeight<Conv2dForwardWeights>]

    /// Traces `model` on a batch of one input of `inputShape` (without the batch dimension) and
    /// prepares the plan; throws if the graph holds an op the plan cannot run.
    public init(_ model: Module, inputShape: [Int]) throws {
        graph = try model.graph(inputShape: inputShape).foldingBatchNorms()
        for node in graph.nodes {
            if case .other = node.op {
                throw graph.unsupported(node, by: "InferencePlan", "it is not one of the ops a graph records with their attributes")
            }
        }
        var steps: [Step] = [], absorbed = Set<Int>()
        for index in graph.nodes.indices where !absorbed.contains(index) {
            let step = Self.fusedStep(at: index, in: graph)
            absorbed.formUnion(step.absorbed)
            steps.append(step)
        }
        self.steps = steps
        operands = steps.map { [graph] step in
            let node = graph.nodes[step.node]
            return (node.inputs + (step.residual.map { [$0] } ?? []), step.absorbed.last.map { graph.nodes[$0].output } ?? node.output)
        }
        var preparedWeights: [Int: PreparedWeight<Conv2dForwardWeights>] = [:]
        for step in steps where !step.absorbed.isEmpty {
            let node = graph.nodes[step.node]
            guard case let .conv2d(stride, padding, dilation, groups) = node.op, let weight = graph.values[node.inputs[1]].tensor
            else { continue }
            let g = Conv2dGeometry(input: graph.values[node.inputs[0]].shape, weight: weight.shape, stride: stride,
                                   padding: padding, dilation: dilation, groups: groups)
            preparedWeights[step.node] = PreparedWeight(weight) {
                weight.scalars.withUnsafeBufferPointer { Conv2dForwardWeights(g, weight: $0.baseAddress!) }
            }
        }
        self.preparedWeights = preparedWeights
    }

    /// The node at `index` with what follows it absorbed: for a conv2d, an add of its result to
    /// a value already computed (a residual), then ReLU and max pooling in either order (they
    /// commute); for a linear, a ReLU. Each absorbed node must be the only reader of the value
    /// before it, and no absorbed value may be the graph's output.
    private static func fusedStep(at index: Int, in graph: ModelGraph) -> Step {
        var step = Step(node: index)
        let op = graph.nodes[index].op
        guard op.isWeighted else { return step }
        var current = graph.nodes[index].output
        /// The node that alone reads `current`, if any.
        func soleReader() -> (index: Int, node: ModelGraph.Node)? {
            let readers = graph.consumers(of: current)
            guard current != graph.output, readers.count == 1 else { return nil }
            return (readers[0], graph.nodes[readers[0]])
        }
        func absorb(_ reader: Int) {
            step.absorbed.append(reader)
            current = graph.nodes[reader].output
        }
        let isConvolution = if case .conv2d = op { true } else { false }
        if isConvolution, let (reader, add) = soleReader(), add.op == .add, add.inputs.count == 2,
           let other = add.inputs.first(where: { $0 != current }), graph.values[other].shape == graph.values[current].shape,
           graph.producer(of: other).map({ $0 < index }) ?? true {
            step.residual = other
            absorb(reader)
        }
        while let (reader, node) = soleReader() {
            if node.op == .relu, !step.relu {
                step.relu = true
            } else if isConvolution, case let .maxPool2d(kernelSize, stride, padding) = node.op, step.pooling == nil {
                step.pooling = (kernelSize, stride, padding)
            } else {
                break
            }
            absorb(reader)
        }
        return step
    }

    /// The model's output for `input`, a batch of any size.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let batch = input.shape.first ?? 1
        return try withNoGrad {
            try graph.run(input, steps: operands) { index, x in
                let step = steps[index], node = graph.nodes[step.node]
                guard !step.absorbed.isEmpty else { return try graph.evaluate(node, x, batch: batch) }
                let bias = node.inputs.count > 2 ? x[2] : nil
                if case let .conv2d(stride, padding, dilation, groups) = node.op {
                    return try conv2d(x[0], weight: x[1], bias: bias, stride: stride, padding: padding, dilation: dilation,
                                      groups: groups, residual: step.residual == nil ? nil : x.last,
                                      applyingReLU: step.relu, maxPooling: step.pooling) { g in
                        preparedWeights[step.node]?.prepared(for: x[1], fits: { $0.fits(g) })
                    }
                }
                return try x[0].linear(weight: x[1], bias: bias, applyingReLU: step.relu)
            }
        }
    }

    /// Each step that absorbed ops: the module path of its conv2d or linear and what it absorbed,
    /// e.g. "layer1.0.conv2: add, relu".
    public var fusions: [String] {
        steps.filter { !$0.absorbed.isEmpty }.map { step in
            let node = graph.nodes[step.node]
            return "\(node.path.isEmpty ? node.op.name : node.path): " + step.absorbed.map { graph.nodes[$0].op.name }.joined(separator: ", ")
        }
    }
}
