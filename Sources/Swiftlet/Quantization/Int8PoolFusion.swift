extension Int8InferenceModel {
    /// `steps` with each max-pool folded into the convolution whose codes it pools — directly,
    /// or through the aliases a fused ReLU leaves (conv → ReLU → pool) — when nothing else reads
    /// the codes in between: the convolution then pools its int32 sums per image, while they
    /// are in cache, and requantizes only the pooled ones (`int32MaxPoolPositions`); the codes
    /// are the same. Requantizing every sum, writing the batch's codes and pooling them in a
    /// pass of their own was most of SimpleCNN's int8 time outside the products (perf).
    static func foldingPools(into steps: [Step]) -> [Step] {
        var readers: [Int: Int] = [:], producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for value in step.reads { readers[value, default: 0] += 1 }
            if let output = step.output { producer[output] = index }
        }
        var folded: [Step?] = steps
        for (index, step) in steps.enumerated() {
            guard case let .maxPool(input, output, pooling) = step else { continue }
            var value = input, absorbed = [index]
            while readers[value] == 1, let source = producer[value], case let .alias(aliased, _) = steps[source] {
                absorbed.append(source)
                value = aliased
            }
            guard readers[value] == 1, let source = producer[value],
                  case let .conv(convolutionInput, _, layer, convolution, nil) = steps[source], !layer.isLast else { continue }
            folded[source] = .conv(input: convolutionInput, output: output, layer, convolution, pooling: pooling)
            for step in absorbed { folded[step] = nil }
        }
        return folded.compactMap { $0 }
    }
}

extension Int8InferenceModel.Step {
    /// The value this step writes; nil for the final dequantization (it writes the logits).
    var output: Int? {
        switch self {
        case let .conv(_, output, _, _, _), let .linear(_, output, _, _, _), let .maxPool(_, output, _), let .add(_, _, output, _, _),
             let .globalAvgPool(_, output, _, _), let .concat(_, output, _, _), let .clamp(_, output, _), let .alias(_, output):
            return output
        case .dequantize:
            return nil
        }
    }
}
