import Foundation

/// Adam and AdamW with PyTorch's exact rules (`torch.optim.Adam` / `AdamW`):
///
///     Adam:  g ← ∇ + λ·p          AdamW:  p ← p·(1 − lr·λ)   (decoupled weight decay)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// One difference: m and v below 2⁻¹⁰⁰ are flushed to zero (see `flushingNegligible`).
public final class Adam: Optimizer {
    /// β₁: decay of the gradient's running mean m.
    public let beta1: Float
    /// β₂: decay of the squared gradient's running mean v.
    public let beta2: Float
    /// ε: keeps the step finite where v is near zero.
    public let epsilon: Float
    /// λ: added to the gradient (Adam) or shrinking the weights directly (AdamW).
    public let weightDecay: Float
    /// True for AdamW's decoupled weight decay.
    public let decoupledWeightDecay: Bool
    private var moments: [Int: (m: [Float], v: [Float])] = [:]

    /// Adam over `parameters` with learning rate `lr`, (β₁, β₂) = `betas`, ε and λ; `AdamW(_:lr:betas:epsilon:weightDecay:)` builds the decoupled form.
    public init(_ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        beta1 = betas.0
        beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(parameters: parameters, learningRate: lr)
    }

    public override func update(_ parameter: Tensor, gradient: [Float], slot: Int) {
        let t = Float(stepCount)
        let step = Step(lr: learningRate, decay: weightDecay, decoupled: decoupledWeightDecay, b1: beta1, b2: beta2, eps: epsilon,
                        stepSize: learningRate / (1 - Foundation.pow(beta1, t)), correction2: (1 - Foundation.pow(beta2, t)).squareRoot())
        var (m, v) = moments.removeValue(forKey: slot)
            ?? ([Float](repeating: 0, count: gradient.count), [Float](repeating: 0, count: gradient.count))
        // One pass over parameter, gradient and both moments, in place (see SGD.update).
        parameter.scalars.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        elementwiseInParallel(p.count) { range in step.apply(p, g, m, v, range) }
                    }
                }
            }
        }
        moments[slot] = (m, v)
    }

    /// The rule's settings for one step as a value, so that its loop keeps them in registers.
    private struct Step {
        let lr, decay: Float
        let decoupled: Bool
        let b1, b2, eps, stepSize, correction2: Float

        func apply(_ p: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>,
                   _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) {
            forEachLaneRun(in: range) { i, n in
                var w = p.lanes(from: i, count: n)
                var g = gradient.lanes(from: i, count: n)
                if decay != 0 {
                    if decoupled { w = w * (1 - lr * decay) } else { g = g + decay * w }
                }
                let mean = flushingNegligible(b1 * m.lanes(from: i, count: n) + (1 - b1) * g)
                let square = flushingNegligible(b2 * v.lanes(from: i, count: n) + (1 - b2) * g * g)
                m.store(mean, from: i, count: n)
                v.store(square, from: i, count: n)
                p.store(w - stepSize * (mean / (square.squareRoot() / correction2 + eps)), from: i, count: n)
            }
        }
    }

    public override func maskState(slot: Int, mask: [Float]) {
        if let (m, v) = moments[slot] { moments[slot] = (m.zipScalars(mask, *), v.zipScalars(mask, *)) }
    }

    public override var state: [String: [Float]] {
        var result: [String: [Float]] = [:]
        for (slot, (m, v)) in moments {
            result["\(slot).exp_avg"] = m
            result["\(slot).exp_avg_sq"] = v
        }
        return result
    }

    public override func loadState(_ state: [String: [Float]], stepCount: Int) throws {
        let restored = try restoreSlots(state, parameters: parameters, keys: ["exp_avg", "exp_avg_sq"])
        try super.loadState(state, stepCount: stepCount)
        moments = restored.mapValues { ($0[0], $0[1]) }
    }
}

/// AdamW: Adam with decoupled weight decay (PyTorch's default decay 0.01).
public func AdamW(_ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
                  weightDecay: Float = 0.01) -> Adam {
    Adam(parameters, lr: lr, betas: betas, epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
}

/// Per-parameter state arrays named `"<slot>.<key>"`, checked against the parameters' sizes.
func restoreSlots(_ state: [String: [Float]], parameters: [Tensor], keys: [String]) throws -> [Int: [[Float]]] {
    var slots: [Int: [[Float]]] = [:]
    for (slot, parameter) in parameters.enumerated() {
        let values = keys.map { state["\(slot).\($0)"] }
        if values.allSatisfy({ $0 == nil }) { continue }
        var arrays: [[Float]] = []
        for (key, value) in zip(keys, values) {
            guard let value else {
                throw OptimizerError.missingState("\(slot).\(key)")
            }
            guard value.count == parameter.count else {
                throw OptimizerError.stateSizeMismatch("\(slot).\(key)", count: value.count, expected: parameter.count)
            }
            arrays.append(value)
        }
        slots[slot] = arrays
    }
    let known = Set(parameters.indices.flatMap { slot in keys.map { "\(slot).\($0)" } })
    if let unexpected = state.keys.sorted().first(where: { !known.contains($0) }) {
        throw OptimizerError.unexpectedState(unexpected, parameters: parameters.count)
    }
    return slots
}
