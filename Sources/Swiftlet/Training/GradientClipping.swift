/// Scales the gradients of `parameters` down together when their joint L2 norm exceeds
/// `maxNorm`, by `maxNorm / (norm + 1e-6)` as `torch.nn.utils.clip_grad_norm_` does, so one
/// bad batch cannot throw the weights far. Parameters without a gradient are skipped.
///
/// - Returns: the joint norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let gradients = parameters.compactMap(\.grad)
    // Summed in Double: a large model's sum of squares loses digits in Float.
    let squares = gradients.reduce(0.0) { sum, gradient in gradient.scalars.reduce(sum) { $0 + Double($1) * Double($1) } }
    let norm = Float(squares.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for gradient in gradients { gradient.scalars = gradient.scalars.mapScalars { $0 * scale } }
    }
    return norm
}
