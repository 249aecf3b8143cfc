// Batch normalisation over axis 1 (channels) of [N, C] or [N, C, ...] inputs.
//
// Training: each channel is normalised with its own batch mean μ and biased variance σ²,
// x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β. With M values per channel and dx̂ = dy·γ:
//   ∂L/∂x = (M·dx̂ − Σ dx̂ − x̂·Σ(dx̂·x̂)) / (M·√(σ² + ε)),  ∂L/∂γ = Σ dy·x̂,  ∂L/∂β = Σ dy
// (the last two terms come from μ and σ depending on every x of the channel).
// Evaluation uses the running statistics, so x̂ is an affine function of x.

/// Running statistics of a batch-norm layer, updated in place during training.
public struct BatchNormStatistics {
    public let mean: Tensor
    public let variance: Tensor
    public let momentum: Float

    public init(mean: Tensor, variance: Tensor, momentum: Float) {
        self.mean = mean
        self.variance = variance
        self.momentum = momentum
    }
}

/// Normalises `input` per channel (axis 1). In training mode the batch statistics are used
/// and `statistics` is updated as PyTorch does (unbiased variance in the running estimate);
/// otherwise the running statistics are used.
public func batchNorm(
    _ input: Tensor, weight: Tensor?, bias: Tensor?, statistics: BatchNormStatistics,
    training: Bool, epsilon: Float = 1e-5
) throws -> Tensor {
    guard input.rank >= 2 else {
        throw TensorError.invalidArgument(op: "batchNorm", "expects [N, C, ...], got shape \(input.shape)")
    }
    let channels = input.shape[1], batch = input.shape[0]
    let spatial = input.shape.dropFirst(2).reduce(1, *)
    let perChannel = batch * spatial
    for (name, tensor) in [("weight", weight), ("bias", bias), ("running mean", statistics.mean), ("running variance", statistics.variance)] {
        if let tensor, tensor.shape != [channels] {
            throw TensorError.shapeMismatch(op: "batchNorm", input.shape, tensor.shape, "\(name) must have shape [\(channels)]")
        }
    }
    if training && perChannel < 2 {
        throw TensorError.invalidArgument(op: "batchNorm", "training needs more than one value per channel, got input \(input.shape)")
    }

    // Per-channel mean and inverse standard deviation used for this pass.
    var mean = [Float](repeating: 0, count: channels)
    var inverseStd = [Float](repeating: 0, count: channels)
    let x = input.scalars
    for c in 0..<channels {
        if training {
            var sum: Double = 0, squares: Double = 0
            forEachValue(of: c, batch, channels, spatial) { sum += Double(x[$0]) }
            let mu = sum / Double(perChannel)
            forEachValue(of: c, batch, channels, spatial) { let d = Double(x[$0]) - mu; squares += d * d }
            let variance = squares / Double(perChannel)
            mean[c] = Float(mu)
            inverseStd[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
            let m = statistics.momentum
            statistics.mean.scalars[c] = (1 - m) * statistics.mean.scalars[c] + m * Float(mu)
            statistics.variance.scalars[c] = (1 - m) * statistics.variance.scalars[c]
                + m * Float(variance * Double(perChannel) / Double(perChannel - 1))
        } else {
            mean[c] = statistics.mean.scalars[c]
            inverseStd[c] = 1 / (statistics.variance.scalars[c] + epsilon).squareRoot()
        }
    }

    var normalized = [Float](repeating: 0, count: input.count)
    var output = [Float](repeating: 0, count: input.count)
    for c in 0..<channels {
        let gamma = weight?.scalars[c] ?? 1, beta = bias?.scalars[c] ?? 0
        forEachValue(of: c, batch, channels, spatial) { i in
            normalized[i] = (x[i] - mean[c]) * inverseStd[c]
            output[i] = gamma * normalized[i] + beta
        }
    }

    let inputs = [input] + [weight, bias].compactMap { $0 }
    return Tensor.result(of: "batchNorm", shape: input.shape, scalars: output, inputs: inputs) { g in
        let dy = g.scalars
        var gradInput = [Float](repeating: 0, count: input.count)
        var gradWeight = [Float](repeating: 0, count: channels)
        var gradBias = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let gamma = weight?.scalars[c] ?? 1
            var sumDy: Float = 0, sumDyXhat: Float = 0
            forEachValue(of: c, batch, channels, spatial) { i in
                sumDy += dy[i]
                sumDyXhat += dy[i] * normalized[i]
            }
            gradWeight[c] = sumDyXhat
            gradBias[c] = sumDy
            let scale = gamma * inverseStd[c]
            let m = Float(perChannel)
            forEachValue(of: c, batch, channels, spatial) { i in
                gradInput[i] = training
                    ? scale * (dy[i] - sumDy / m - normalized[i] * sumDyXhat / m)
                    : scale * dy[i]
            }
        }
        var grads: [Tensor?] = [Tensor(shape: input.shape, scalars: gradInput)]
        if let weight { grads.append(Tensor(shape: weight.shape, scalars: gradWeight)) }
        if let bias { grads.append(Tensor(shape: bias.shape, scalars: gradBias)) }
        return grads
    }
}

/// Calls `body(index)` for every element of channel `c` in an [N, C, spatial] layout.
@inline(__always)
private func forEachValue(of c: Int, _ batch: Int, _ channels: Int, _ spatial: Int, _ body: (Int) -> Void) {
    for n in 0..<batch {
        let start = (n * channels + c) * spatial
        for i in start..<(start + spatial) { body(i) }
    }
}
