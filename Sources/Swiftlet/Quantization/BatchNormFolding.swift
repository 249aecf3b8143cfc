import SwiftletKernels

/// Folds each BatchNorm that directly follows a Conv2d or Linear into that layer, as
/// `torch.ao.quantization.fuse_modules` does before quantization: in eval mode BatchNorm is
/// the per-channel affine map y = γ·(x − μ)/√(σ² + ε) + β, so the layer before it can absorb
/// it, w′ = w·γ/√(σ² + ε) and b′ = (b − μ)·γ/√(σ² + ε) + β. Quantizing the folded weights is
/// what an integer pipeline runs (there is no BatchNorm kernel in it), and the folded model
/// computes what the eval-mode original does, up to float rounding.
extension Sequential {
    /// A new Sequential without the folded BatchNorms, the other layers' names kept; nested
    /// Sequentials are folded too. The weight layers before a BatchNorm are copies, so the
    /// original model is left as it was.
    public func foldingBatchNorm() throws -> Sequential {
        var folded: [(name: String, module: Module)] = []
        for (name, module) in layers {
            if let norm = module as? BatchNorm, let previous = folded.last,
               let fused = try fuse(previous.module, with: norm, names: (previous.name, name)) {
                folded[folded.count - 1].module = fused
            } else if let nested = module as? Sequential {
                folded.append((name, try nested.foldingBatchNorm()))
            } else {
                folded.append((name, module))
            }
        }
        let result = Sequential(folded)
        if !isTraining { result.eval() }
        return result
    }
}

/// The Conv2d or Linear `layer` with `norm` folded in, or nil for any other layer.
private func fuse(_ layer: Module, with norm: BatchNorm, names: (layer: String, norm: String)) throws -> Module? {
    let weight: Tensor, bias: Tensor?
    let rebuild: (Tensor, Tensor) -> Module
    if let conv = layer as? Conv2d {
        (weight, bias) = (conv.weight, conv.bias)
        rebuild = { conv.folded(weight: $0, bias: $1) }
    } else if let linear = layer as? Linear {
        (weight, bias) = (linear.weight, linear.bias)
        rebuild = { linear.folded(weight: $0, bias: $1) }
    } else {
        return nil
    }
    let channels = weight.shape[0]
    guard norm.weight.shape == [channels] else {
        throw TensorError.invalidArgument(op: "foldingBatchNorm",
                                          "\(names.norm) normalises \(norm.weight.shape.first ?? 0) channels but \(names.layer) has \(channels) outputs")
    }
    let perChannel = weight.scalars.count / max(channels, 1)
    var newWeight = weight.scalars, newBias = [Float](repeating: 0, count: channels)
    for channel in 0..<channels {
        let factor = norm.weight.scalars[channel] / (norm.runningVar.scalars[channel] + norm.epsilon).squareRoot()
        for index in channel * perChannel..<(channel + 1) * perChannel { newWeight[index] *= factor }
        let oldBias = bias?.scalars[channel] ?? 0
        newBias[channel] = (oldBias - norm.runningMean.scalars[channel]) * factor + norm.bias.scalars[channel]
    }
    return rebuild(Tensor(shape: weight.shape, scalars: newWeight, requiresGrad: true),
                   Tensor(shape: [channels], scalars: newBias, requiresGrad: true))
}

private extension Conv2d {
    /// This convolution's geometry with new weights and a bias.
    func folded(weight: Tensor, bias: Tensor) -> Conv2d {
        var generator = SeededRandom(seed: 0)  // initial values are overwritten below
        let copy = Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                          dilation: dilation, groups: groups, bias: true, generator: &generator)
        copy.weight = weight
        copy.bias = bias
        return copy
    }
}

private extension Linear {
    func folded(weight: Tensor, bias: Tensor) -> Linear {
        var generator = SeededRandom(seed: 0)  // initial values are overwritten below
        let copy = Linear(inFeatures, outFeatures, bias: true, generator: &generator)
        copy.weight = weight
        copy.bias = bias
        return copy
    }
}
