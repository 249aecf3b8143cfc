// Penalties that push weights towards zero during training, so that thresholding them
// afterwards removes little: add `λ · l1Penalty(…)` or `λ · l2Penalty(…)` to the loss.
//
//   L1 = Σ |w|,  ∂L1/∂w = sign(w), with the subgradient 0 at w = 0 (a pruned weight stays put)
//   L2 = Σ w²,   ∂L2/∂w = 2w
//
// Keras' `l1(λ)` / `l2(λ)` regularisers are exactly λ·L1 / λ·L2; PyTorch's `weight_decay`
// λ corresponds to (λ/2)·L2.

/// Σ |w| over every element of `tensors`, as a differentiable scalar.
public func l1Penalty(_ tensors: [Tensor]) -> Tensor {
    penalty("l1Penalty", tensors, value: { abs($0) }, derivative: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
}

/// Σ w² over every element of `tensors`, as a differentiable scalar.
public func l2Penalty(_ tensors: [Tensor]) -> Tensor {
    penalty("l2Penalty", tensors, value: { $0 * $0 }, derivative: { 2 * $0 })
}

/// Σ |w| over the parameters of `model` that `select` picks (by default the weights of
/// Linear and Conv2d layers, not biases).
public func l1Penalty(_ model: Module, select: ((String, Tensor) -> Bool)? = nil) -> Tensor {
    l1Penalty(model.parameters(selectedBy: select).map(\.tensor))
}

/// Σ w² over the parameters of `model` that `select` picks (by default Linear and Conv2d weights).
public func l2Penalty(_ model: Module, select: ((String, Tensor) -> Bool)? = nil) -> Tensor {
    l2Penalty(model.parameters(selectedBy: select).map(\.tensor))
}

/// Σ value(w) over all tensors; backward hands each tensor g · derivative(w).
private func penalty(
    _ op: String, _ tensors: [Tensor], value: @escaping (Float) -> Float, derivative: @escaping (Float) -> Float
) -> Tensor {
    // Summed in Double: a model has up to millions of terms.
    let total = tensors.reduce(0.0) { sum, tensor in tensor.scalars.reduce(sum) { $0 + Double(value($1)) } }
    return Tensor.result(of: .other(op), shape: [], scalars: [Float(total)], inputs: tensors) { g in
        let scale = g.scalars[0]
        return tensors.map { Tensor(shape: $0.shape, scalars: $0.scalars.mapScalars { scale * derivative($0) }) }
    }
}
