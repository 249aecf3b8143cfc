/// The shared machinery of gradient-descent optimizers: the parameter list, the learning
/// rate, zeroing gradients, and pruning masks that keep removed weights at exactly zero.
///
/// Subclasses implement `update(_:gradient:slot:)` with their own rule; `step()` calls it
/// once per parameter that has a gradient.
open class Optimizer {
    /// The tensors the optimizer updates; slots and masks refer to them by index.
    public let parameters: [Tensor]
    /// The learning rate of the next step; schedules change it between steps.
    public var learningRate: Float
    /// Number of completed `step()` calls.
    public private(set) var stepCount = 0
    /// 0/1 masks by parameter index: a masked-out weight receives no gradient, so its
    /// optimizer state (momentum, moments) stays zero, and is reset to zero after every step.
    public private(set) var masks: [Int: [Float]] = [:]

    /// An optimizer for `parameters`, starting at `learningRate`.
    public init(parameters: [Tensor], learningRate: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        stepCount += 1
        for (slot, parameter) in parameters.enumerated() {
            guard var gradient = parameter.grad?.scalars else { continue }
            if let mask = masks[slot] { gradient = gradient.zipScalars(mask, *) }
            update(parameter, gradient: gradient, slot: slot)
            if let mask = masks[slot] { parameter.scalars = parameter.scalars.zipScalars(mask, *) }
        }
    }

    /// Keeps the parameter `tensor` masked: entries where `mask` is 0 are zeroed now and stay
    /// zero through every later step. Throws if the tensor is not optimised here or the
    /// mask has the wrong size.
    public func setMask(_ mask: [Float], for tensor: Tensor) throws {
        guard let slot = parameters.firstIndex(where: { $0 === tensor }) else {
            throw OptimizerError.notAParameter(op: "setMask", shape: tensor.shape)
        }
        guard mask.count == tensor.count else {
            throw OptimizerError.maskSizeMismatch(entries: mask.count, shape: tensor.shape)
        }
        masks[slot] = mask
        tensor.scalars = tensor.scalars.zipScalars(mask, *)
        maskState(slot: slot, mask: mask)
    }

    /// The update rule. `gradient` is already masked.
    open func update(_ parameter: Tensor, gradient: [Float], slot: Int) {}

    /// Zeroes the optimizer's per-parameter state where the mask is 0.
    open func maskState(slot: Int, mask: [Float]) {}

    /// Optimizer state for checkpoints, by name (e.g. `"3.momentum_buffer"`).
    open var state: [String: [Float]] { [:] }

    /// Restores what `state` returned (plus the step count), so training resumes exactly.
    open func loadState(_ state: [String: [Float]], stepCount: Int) throws {
        self.stepCount = stepCount
    }
}
