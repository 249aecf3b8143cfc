/// Training stopped because the loss or a gradient stopped being a finite number. Nothing
/// after that point would be meaningful (every later weight is NaN or infinite), so the
/// loop throws before the optimizer applies the step: the model keeps its last finite
/// weights, and no caller should save it as a result.
public struct TrainingDivergence: Error, CustomStringConvertible {
    /// What went non-finite.
    public enum Quantity: Equatable, Sendable {
        /// The batch's loss, as computed.
        case loss(Float)
        /// The gradient of the named parameter holds a NaN or infinity.
        case gradient(parameter: String)
    }

    /// The loss value or the parameter whose gradient went non-finite.
    public let quantity: Quantity
    /// The batch (1-based) within its epoch.
    public let step: Int
    /// The epoch (1-based), when the caller running the epochs knows it (see `inEpoch`).
    public private(set) var epoch: Int?
    /// The optimizer's learning rate at that step: the usual culprit.
    public let learningRate: Float

    /// The divergence of `quantity` at batch `step`; `epoch` can be added later with `inEpoch`.
    public init(_ quantity: Quantity, step: Int, epoch: Int? = nil, learningRate: Float) {
        self.quantity = quantity
        self.step = step
        self.epoch = epoch
        self.learningRate = learningRate
    }

    /// The same divergence, placed in `epoch` (1-based).
    public func inEpoch(_ epoch: Int) -> TrainingDivergence {
        var placed = self
        placed.epoch = epoch
        return placed
    }

    public var description: String {
        let what: String
        switch quantity {
        case let .loss(value): what = "the loss is \(value)"
        case let .gradient(parameter): what = "the gradient of \(parameter) is not finite (NaN or infinity)"
        }
        let place = (epoch.map { "epoch \($0), " } ?? "") + "step \(step)"
        return "training diverged at \(place): \(what). Hint: lower the learning rate (it was \(learningRate))"
    }
}

extension Optimizer {
    /// The first parameter whose gradient holds a NaN or infinity, named as in `model`
    /// (by index when `model` does not own it). One vectorised pass over the gradients.
    func nonFiniteGradient(in model: Module) -> String? {
        guard let index = parameters.firstIndex(where: { !($0.grad?.scalars.allFinite ?? true) }) else { return nil }
        let tensor = parameters[index]
        return model.namedParameters.first { $0.tensor === tensor }?.name ?? "parameter \(index)"
    }
}
