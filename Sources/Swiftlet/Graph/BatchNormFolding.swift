// BatchNorm folding, as `torch.ao.quantization.fuse_modules` does before quantization: in
// evaluation mode BatchNorm is the per-channel affine map y = γ·(x − μ)/√(σ² + ε) + β, so a
// conv2d or linear op whose only consumer it is can absorb it:
//   w′ = w·γ/√(σ² + ε)   and   b′ = (b − μ)·γ/√(σ² + ε) + β.
// An integer pipeline has no BatchNorm kernel, so the int8 engine and export read the
// folded graph; it computes what the model does, up to float rounding.

extension ModelGraph {
    /// This graph with every batchNorm that alone reads a conv2d or linear result folded into
    /// that op, whose weight and bias become constants (the model's tensors are not changed).
    /// Other batchNorms stay.
    public func foldingBatchNorms() -> ModelGraph {
        var folded = self
        var removed = Set<Int>()
        var renamed: [Int: Int] = [:]
        for (index, norm) in nodes.enumerated() {
            guard case let .batchNorm(epsilon) = norm.op, let producerIndex = producer(of: norm.inputs[0]),
                  nodes[producerIndex].op.isWeighted, consumers(of: norm.inputs[0]) == [index],
                  let result = fold(norm, into: producerIndex, epsilon: epsilon, in: &folded) else { continue }
            removed.insert(index)
            renamed[norm.output] = result
        }
        folded.nodes = folded.nodes.enumerated().filter { !removed.contains($0.offset) }.map { _, node in
            Node(op: node.op, inputs: node.inputs.map { renamed[$0] ?? $0 }, output: node.output, path: node.path, moduleType: node.moduleType)
        }
        // Results point at their nodes' new positions; a folded BatchNorm's result is its producer's.
        for (index, node) in folded.nodes.enumerated() {
            folded.values[node.output] = Value(shape: values[node.output].shape, source: .node(index), tensor: nil)
        }
        for (value, replacement) in renamed { folded.values[value] = folded.values[replacement] }
        folded.output = renamed[output] ?? output
        return folded
    }

    /// Folds `norm`, the only reader of `nodes[producerIndex]`, into that node of `graph`
    /// when every tensor involved is known; returns the producer's output value.
    private func fold(_ norm: Node, into producerIndex: Int, epsilon: Float, in graph: inout ModelGraph) -> Int? {
        let producer = graph.nodes[producerIndex]
        let statistics = norm.inputs.dropFirst().compactMap { values[$0].tensor?.scalars }
        guard producer.output != output, statistics.count == 4, let weight = values[producer.inputs[1]].tensor else { return nil }
        let bias = producer.inputs.count > 2 ? values[producer.inputs[2]].tensor?.scalars : nil
        guard producer.inputs.count == 2 || bias != nil else { return nil }
        let (gamma, beta, mean, variance) = (statistics[0], statistics[1], statistics[2], statistics[3])
        let channels = weight.shape[0]
        guard gamma.count == channels else { return nil }
        let perChannel = weight.count / max(channels, 1)
        var newWeight = weight.scalars, newBias = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            let factor = gamma[channel] / (variance[channel] + epsilon).squareRoot()
            for index in channel * perChannel..<(channel + 1) * perChannel { newWeight[index] *= factor }
            newBias[channel] = ((bias?[channel] ?? 0) - mean[channel]) * factor + beta[channel]
        }
        let weightValue = graph.addConstant(Tensor(shape: weight.shape, scalars: newWeight))
        let biasValue = graph.addConstant(Tensor(shape: [channels], scalars: newBias))
        graph.nodes[producerIndex] = Node(op: producer.op, inputs: [producer.inputs[0], weightValue, biasValue], output: producer.output,
                                          path: producer.path, moduleType: producer.moduleType)
        return producer.output
    }

    /// Adds a constant value and returns its index.
    mutating func addConstant(_ tensor: Tensor) -> Int {
        values.append(Value(shape: tensor.shape, source: .constant, tensor: tensor))
        return values.count - 1
    }
}
