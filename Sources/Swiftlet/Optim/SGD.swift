/// Stochastic gradient descent with PyTorch's exact rule (`torch.optim.SGD`):
///
///     g ← ∇ + λ·p                       (weight decay λ)
///     b ← μ·b + (1 − τ)·g               (momentum μ, dampening τ; b starts as g)
///     g ← g + μ·b  if Nesterov,  else  g ← b
///     p ← p − lr·g
///
/// One difference: momentum below 2⁻¹⁰⁰ is flushed to zero (see `flushingNegligible`).
public final class SGD: Optimizer {
    /// μ: the weight of the previous update in the momentum buffer; 0 for plain SGD.
    public let momentum: Float
    /// τ: scales down the new gradient's share of the momentum buffer.
    public let dampening: Float
    /// Whether to step with the Nesterov look-ahead g + μ·b.
    public let nesterov: Bool
    /// λ: L2 weight decay, added to the gradient.
    public let weightDecay: Float
    private var buffers: [Int: [Float]] = [:]

    /// SGD over `parameters` with learning rate `lr` and the settings of the rule above.
    public init(_ parameters: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        super.init(parameters: parameters, learningRate: lr)
    }

    public override func update(_ parameter: Tensor, gradient: [Float], slot: Int) {
        let step = Step(lr: learningRate, mu: momentum, decay: weightDecay, keep: 1 - dampening, nesterov: nesterov,
                        startsBuffer: buffers[slot] == nil)
        var buffer = buffers.removeValue(forKey: slot) ?? (momentum != 0 ? [Float](repeating: 0, count: gradient.count) : [])
        // One pass over parameter, gradient and buffer, in place: the rule's steps as separate
        // array operations would allocate and walk the arrays four times per step.
        parameter.scalars.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    elementwiseInParallel(p.count) { range in step.apply(p, g, b, range) }
                }
            }
        }
        if momentum != 0 { buffers[slot] = buffer }
    }

    /// The rule's settings as a value, so that its loop keeps them in registers and vectorises.
    private struct Step {
        let lr, mu, decay, keep: Float
        let nesterov, startsBuffer: Bool

        func apply(_ p: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>,
                   _ b: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) {
            forEachLaneRun(in: range) { i, n in
                let w = p.lanes(from: i, count: n)
                var g = gradient.lanes(from: i, count: n)
                if decay != 0 { g += decay * w }
                if mu != 0 {
                    let buffer = flushingNegligible(startsBuffer ? g : mu * b.lanes(from: i, count: n) + keep * g)
                    b.store(buffer, from: i, count: n)
                    g = nesterov ? g + mu * buffer : buffer
                }
                p.store(w - lr * g, from: i, count: n)
            }
        }
    }

    public override func maskState(slot: Int, mask: [Float]) {
        buffers[slot] = buffers[slot]?.zipScalars(mask, *)
    }

    public override var state: [String: [Float]] {
        Dictionary(uniqueKeysWithValues: buffers.map { ("\($0.key).momentum_buffer", $0.value) })
    }

    public override func loadState(_ state: [String: [Float]], stepCount: Int) throws {
        let restored = try restoreSlots(state, parameters: parameters, keys: ["momentum_buffer"])
        try super.loadState(state, stepCount: stepCount)
        buffers = restored.mapValues { $0[0] }
    }
}
