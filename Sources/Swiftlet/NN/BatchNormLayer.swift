/// Batch normalisation over the channel axis, as PyTorch's `nn.BatchNorm1d` ([N, C] or
/// [N, C, L]) and `nn.BatchNorm2d` ([N, C, H, W]): learnable `weight` (γ, ones) and `bias`
/// (β, zeros), and buffers `running_mean` / `running_var` / `num_batches_tracked`.
public final class BatchNorm: Module {
    /// γ [C]: the learned per-channel scale, ones at first.
    public var weight: Tensor
    /// β [C]: the learned per-channel shift, zeros at first.
    public var bias: Tensor
    /// The running mean per channel that evaluation normalises with.
    public var runningMean: Tensor
    /// The running (unbiased) variance per channel that evaluation normalises with.
    public var runningVar: Tensor
    /// Counted as PyTorch does, so checkpoints carry the same buffers.
    public var batchesTracked: Tensor
    /// Weight of each batch's statistics in the running ones, as PyTorch's `momentum`.
    public let momentum: Float
    /// Added to the variance before the square root, for stability.
    public let epsilon: Float
    /// 2 for BatchNorm2d (4-D input), 1 for BatchNorm1d (2-D or 3-D input).
    public let spatialDimensions: Int

    /// A layer for `features` channels; prefer `BatchNorm1d(_:momentum:epsilon:)` and `BatchNorm2d(_:momentum:epsilon:)`.
    public init(_ features: Int, spatialDimensions: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = Tensor.ones([features], requiresGrad: true)
        bias = Tensor.zeros([features], requiresGrad: true)
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        batchesTracked = Tensor.zeros([])
        self.momentum = momentum
        self.epsilon = epsilon
        self.spatialDimensions = spatialDimensions
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try normalize(input)
    }

    /// `(self(input) + residual).relu()` (the residual and the ReLU each optional), as in
    /// `relu(bn2(conv2(y)) + shortcut(x))` of a residual block, computed in one pass over
    /// memory instead of three (see `batchNorm(_:…:adding:applyingReLU:)`). A graph being
    /// traced records this layer's batch norm, then the addition and the ReLU outside it,
    /// exactly as the three calls written out would.
    public func callAsFunction(_ input: Tensor, adding residual: Tensor? = nil, applyingReLU: Bool) throws -> Tensor {
        guard GraphRecorder.active == nil else {
            return try self(input).adding(residual, applyingReLU: applyingReLU)
        }
        return try normalize(input, adding: residual, applyingReLU: applyingReLU)
    }

    private func normalize(_ input: Tensor, adding residual: Tensor? = nil, applyingReLU: Bool = false) throws -> Tensor {
        let allowed = spatialDimensions == 2 ? [4] : [2, 3]
        guard allowed.contains(input.rank) else {
            throw TensorError.unexpectedShape(op: "BatchNorm\(spatialDimensions)d", input.shape,
                                              expected: "a \(allowed.map(String.init).joined(separator: "- or "))-dimensional input")
        }
        let output = try batchNorm(input, weight: weight, bias: bias,
                                   statistics: BatchNormStatistics(mean: runningMean, variance: runningVar, momentum: momentum),
                                   training: isTraining, epsilon: epsilon, adding: residual, applyingReLU: applyingReLU)
        if isTraining { batchesTracked.scalars[0] += 1 }
        return output
    }

    public override var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public override var localBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", batchesTracked)]
    }
}

/// `nn.BatchNorm1d`: normalises [N, C] or [N, C, L] inputs per channel.
public func BatchNorm1d(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) -> BatchNorm {
    BatchNorm(features, spatialDimensions: 1, momentum: momentum, epsilon: epsilon)
}

/// `nn.BatchNorm2d`: normalises [N, C, H, W] inputs per channel.
public func BatchNorm2d(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) -> BatchNorm {
    BatchNorm(features, spatialDimensions: 2, momentum: momentum, epsilon: epsilon)
}
