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
    /// Max-norm constraints by parameter index: after every step each row (one output unit's
    /// incoming weights) whose L2 norm exceeds the bound is scaled back onto it.
    public private(set) var maxNorms: [Int: Float] = [:]

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
            if let bound = maxNorms[slot] { parameter.limitRowNorms(to: bound) }
        }
    }

    /// Keeps the parameter `tensor` masked: entries where `mask` is 0 are zeroed now and stay
    /// zero through every later step. Throws if the tensor is not optimised here or the
    /// mask has the wrong size.
    public func setMask(_ mask: [Float], for tensor: Tensor) throws {
        let slot = try slot(of: tensor, op: "setMask")
        guard mask.count == tensor.count else {
            throw OptimizerError.maskSizeMismatch(entries: mask.count, shape: tensor.shape)
        }
        masks[slot] = mask
        tensor.scalars = tensor.scalars.zipScalars(mask, *)
        maskState(slot: slot, mask: mask)
    }

    /// Keeps every row of the parameter `tensor` — one output unit's incoming weights, dimension
    /// 0 of a Linear or Conv2d weight — at an L2 norm of at most `maxNorm`: rows above it are
    /// scaled onto it now and after every later step (Hinton et al. 2012's weight constraint;
    /// PyTorch's `renorm_(2, 0, maxNorm)`, Keras's `max_norm`). Lets dropout nets train at
    /// high learning rates without their weights growing without bound.
    public func constrainRowNorms(of tensor: Tensor, to maxNorm: Float) throws {
        let slot = try slot(of: tensor, op: "constrainRowNorms")
        guard maxNorm.isFinite, maxNorm > 0 else {
            throw OptimizerError.invalidMaxNorm(maxNorm)
        }
        guard tensor.shape.count >= 2 else {
            throw OptimizerError.noRows(op: "constrainRowNorms", shape: tensor.shape)
        }
        maxNorms[slot] = maxNorm
        tensor.limitRowNorms(to: maxNorm)
    }

    private func slot(of tensor: Tensor, op: String) throws -> Int {
        guard let slot = parameters.firstIndex(where: { $0 === tensor }) else {
            throw OptimizerError.notAParameter(op: op, shape: tensor.shape)
        }
        return slot
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
