// Running a traced graph with Swiftlet's float ops: what the model computes in evaluation
// mode, op by op. Passes that change the graph (BatchNorm folding) check themselves against
// it, and int8 calibration observes the values it will quantize here.

extension ModelGraph {
    /// The output for `input` (a batch of any size). `weights` replaces the weight operand of
    /// the conv2d and linear nodes it names (by node index) — int8 calibration computes with
    /// the weights the int8 engine will use; `observe` sees every op's result.
    public func run(_ input: Tensor, weights: [Int: Tensor] = [:], observe: ((_ value: Int, Tensor) -> Void)? = nil) throws -> Tensor {
        try run(input, steps: nodes.map { ($0.inputs, $0.output) }) { index, operands in
            var operands = operands
            if let weight = weights[index] { operands[1] = weight }
            let result = try evaluate(nodes[index], operands, batch: input.shape.first ?? 1)
            observe?(nodes[index].output, result)
            return result
        }
    }

    /// Runs `steps` in order on `input`, each computing its output value from its input values
    /// (`evaluate(step index, operands)`), and returns the graph's output. A value is dropped
    /// after the last step that reads it, so a batch's activations are not all held at once.
    func run(_ input: Tensor, steps: [(inputs: [Int], output: Int)],
             evaluate: (_ step: Int, _ operands: [Tensor]) throws -> Tensor) throws -> Tensor {
        var lastUse = [Int](repeating: -1, count: values.count)
        for (index, step) in steps.enumerated() { for value in step.inputs { lastUse[value] = index } }
        var computed: [Int: Tensor] = [self.input: input]
        func operand(_ value: Int) throws -> Tensor {
            if let tensor = computed[value] ?? values[value].tensor { return tensor }
            throw GraphError.usedBeforeComputed(value: value)
        }
        for (index, step) in steps.enumerated() {
            computed[step.output] = try evaluate(index, step.inputs.map(operand))
            for value in step.inputs where lastUse[value] == index && value != output { computed[value] = nil }
        }
        return try operand(output)
    }

    /// One node's op on its operands.
    func evaluate(_ node: Node, _ x: [Tensor], batch: Int) throws -> Tensor {
        switch node.op {
        case let .conv2d(stride, padding, dilation, groups):
            return try conv2d(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil, stride: stride, padding: padding,
                              dilation: dilation, groups: groups)
        case .linear: return try x[0].linear(weight: x[1], bias: x.count > 2 ? x[2] : nil)
        case .matmul: return try x[0].matmul(x[1])
        case .add: return try x[0] + x[1]
        case .sub: return try x[0] - x[1]
        case .mul: return try x[0] * x[1]
        case .div: return try x[0] / x[1]
        case let .affine(scale, shift): return x[0].affine(scale: scale, shift: shift)
        case .relu: return x[0].relu()
        case .sigmoid: return x[0].sigmoid()
        case .tanh: return x[0].tanh()
        case .exp: return x[0].exp()
        case .log: return x[0].log()
        case let .maxPool2d(kernelSize, stride, padding):
            return try maxPool2d(x[0], kernelSize: kernelSize, stride: stride, padding: padding)
        case let .avgPool2d(kernelSize, stride, padding, countIncludePad):
            return try avgPool2d(x[0], kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
        case .globalAvgPool2d: return try globalAvgPool2d(x[0])
        case let .batchNorm(epsilon):
            return try batchNorm(x[0], weight: x[1], bias: x[2], statistics: BatchNormStatistics(mean: x[3], variance: x[4], momentum: 0),
                                 training: false, epsilon: epsilon)
        case let .reshape(shape):
            // Dimension 0 of a traced reshape is the batch.
            return try x[0].reshaped(shape.first == batchSize ? [batch] + shape.dropFirst() : shape)
        case let .permute(axes): return try x[0].permuted(axes)
        case let .concat(axis): return try concat(x, alongAxis: axis)
        case let .pad(before, after, value): return try x[0].padded(Array(zip(before, after)), value: value)
        case let .slice(axis, start, end): return try x[0].sliced(alongAxis: axis, start..<end)
        case let .sum(axes, keep): return try x[0].sum(alongAxes: axes, keepingDimensions: keep)
        case let .mean(axes, keep): return try x[0].mean(alongAxes: axes, keepingDimensions: keep)
        case let .softmax(axis): return try x[0].softmax(alongAxis: axis)
        case let .logSoftmax(axis): return try x[0].logSoftmax(alongAxis: axis)
        case .other:
            throw unsupported(node, by: "ModelGraph.run", "it is not one of the ops a graph records with their attributes")
        }
    }
}
