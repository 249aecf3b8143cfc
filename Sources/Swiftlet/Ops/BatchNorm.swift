import SwiftletKernels

// Batch normalisation over axis 1 (channels) of [N, C] or [N, C, ...] inputs.
//
// Training: each channel is normalised with its own batch mean μ and biased variance σ²,
// x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β. With M values per channel and dx̂ = dy·γ:
//   ∂L/∂x = (M·dx̂ − Σ dx̂ − x̂·Σ(dx̂·x̂)) / (M·√(σ² + ε)),  ∂L/∂γ = Σ dy·x̂,  ∂L/∂β = Σ dy
// (the last two terms come from μ and σ depending on every x of the channel).
// Evaluation uses the running statistics, so x̂ is an affine function of x.

/// Running statistics of a batch-norm layer, updated in place during training.
public struct BatchNormStatistics {
    /// Running mean per channel [C]; training updates its values in place.
    public let mean: Tensor
    /// Running unbiased variance per channel [C]; training updates it in place.
    public let variance: Tensor
    /// Weight of each batch's statistics: new = (1 − momentum)·old + momentum·batch.
    public let momentum: Float

    /// Statistics held in `mean` and `variance` (a layer's buffers), updated with `momentum`.
    public init(mean: Tensor, variance: Tensor, momentum: Float) {
        self.mean = mean
        self.variance = variance
        self.momentum = momentum
    }
}

/// Normalises `input` per channel (axis 1). In training mode the batch statistics are used
/// and `statistics` is updated as PyTorch does (unbiased variance in the running estimate);
/// otherwise the running statistics are used.
///
/// With `residual` (a tensor of the input's shape) and `applyingReLU`, the result is
/// `(batchNorm(input) + residual).relu()`, as in a residual block, in one pass over memory
/// instead of three; values and gradients are those of the three ops. A graph being traced
/// records the three ops.
public func batchNorm(
    _ input: Tensor, weight: Tensor?, bias: Tensor?, statistics: BatchNormStatistics,
    training: Bool, epsilon: Float = 1e-5, adding residual: Tensor? = nil, applyingReLU: Bool = false
) throws -> Tensor {
    if GraphRecorder.active != nil && (residual != nil || applyingReLU) {
        return try batchNorm(input, weight: weight, bias: bias, statistics: statistics, training: training, epsilon: epsilon)
            .adding(residual, applyingReLU: applyingReLU)
    }
    guard input.rank >= 2 else {
        throw TensorError.unexpectedShape(op: "batchNorm", input.shape, expected: "[N, C, ...]")
    }
    let channels = input.shape[1], batch = input.shape[0]
    let spatial = input.shape.dropFirst(2).reduce(1, *)
    let perChannel = batch * spatial
    for (name, tensor) in [("weight", weight), ("bias", bias), ("running mean", statistics.mean), ("running variance", statistics.variance)] {
        if let tensor, tensor.shape != [channels] {
            throw TensorError.shapeMismatch(op: "batchNorm", input.shape, tensor.shape, "\(name) must have shape [\(channels)]")
        }
    }
    if let residual, residual.shape != input.shape {
        throw TensorError.shapeMismatch(op: "batchNorm", input.shape, residual.shape, "the residual must have the input's shape")
    }
    if training && perChannel < 2 {
        throw TensorError.tooFewValues(op: "batchNorm", shape: input.shape, needed: "more than one value per channel in training")
    }

    // Per-channel mean and inverse standard deviation used for this pass.
    let layout = ChannelLayout(batch: batch, channels: channels, spatial: spatial)
    var mean = [Float](repeating: 0, count: channels)
    var inverseStd = [Float](repeating: 0, count: channels)
    if training {
        var batchMean = [Double](repeating: 0, count: channels), batchVariance = [Double](repeating: 0, count: channels)
        input.scalars.withUnsafeBufferPointer { x in
            batchNormStatistics(layout, input: x.baseAddress!, mean: &batchMean, variance: &batchVariance)
        }
        let m = statistics.momentum
        for c in 0..<channels {
            mean[c] = Float(batchMean[c])
            inverseStd[c] = Float(1 / (batchVariance[c] + Double(epsilon)).squareRoot())
            statistics.mean.scalars[c] = (1 - m) * statistics.mean.scalars[c] + m * Float(batchMean[c])
            statistics.variance.scalars[c] = (1 - m) * statistics.variance.scalars[c]
                + m * Float(batchVariance[c] * Double(perChannel) / Double(perChannel - 1))
        }
    } else {
        for c in 0..<channels {
            mean[c] = statistics.mean.scalars[c]
            inverseStd[c] = 1 / (statistics.variance.scalars[c] + epsilon).squareRoot()
        }
    }

    let output = [Float].filled(count: input.count) { y in
        input.scalars.withUnsafeBufferPointer { x in
            withOptionalPointer(weight?.scalars) { gamma in
                withOptionalPointer(bias?.scalars) { beta in
                    withOptionalPointer(residual?.scalars) { residual in
                        batchNormForward(layout, input: x.baseAddress!, mean: mean, inverseStd: inverseStd, gamma: gamma, beta: beta,
                                         output: y, residual: residual, applyingReLU: applyingReLU)
                    }
                }
            }
        }
    }

    let inputs = [input] + [weight, bias, residual].compactMap { $0 }
    // The backward pass recomputes x̂ from these values (shared, not copied).
    let inputValues = input.scalars
    // A trace records the evaluation form with all five operands (γ = 1 and β = 0 when absent).
    let operands = { [input, weight ?? .ones([channels]), bias ?? .zeros([channels]), statistics.mean, statistics.variance] }
    // The name that gradient errors and drawings of the backward graph show (a trace records
    // only the unfused evaluation form).
    let fused = (residual != nil ? "+add" : "") + (applyingReLU ? "+relu" : "")
    let operation: GraphOp = training || !fused.isEmpty
        ? .other((training ? "batchNorm(training)" : "batchNorm") + fused) : .batchNorm(epsilon: epsilon)
    return Tensor.result(of: operation, shape: input.shape, scalars: output, inputs: inputs, operands: operands) { g in
        // The ReLU's gradient passes where its output is positive, as where its input is.
        let dy = applyingReLU ? reluGradient(g.scalars, input: output) : g.scalars
        var gradWeight = [Float](repeating: 0, count: channels)
        var gradBias = [Float](repeating: 0, count: channels)
        let gradInput = [Float].filled(count: input.count) { gx in
            withPointers(dy, inputValues, weight?.scalars) { dy, x, gamma in
                batchNormBackward(layout, gradOutput: dy, input: x, mean: mean, gamma: gamma, inverseStd: inverseStd,
                                  training: training, gradInput: gx, gradWeight: &gradWeight, gradBias: &gradBias)
            }
        }
        var grads: [Tensor?] = [Tensor(shape: input.shape, scalars: gradInput)]
        if let weight { grads.append(Tensor(shape: weight.shape, scalars: gradWeight)) }
        if let bias { grads.append(Tensor(shape: bias.shape, scalars: gradBias)) }
        if residual != nil { grads.append(Tensor(shape: input.shape, scalars: dy)) }
        return grads
    }
}

/// `body` with a pointer to `values`, or nil when there are none.
private func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension Tensor {
    /// `(self + residual).relu()`, each step only when asked: the ops that a batch norm with
    /// a residual and a ReLU stands for.
    func adding(_ residual: Tensor?, applyingReLU: Bool) throws -> Tensor {
        let sum = try residual.map { try self + $0 } ?? self
        return applyingReLU ? sum.relu() : sum
    }
}
