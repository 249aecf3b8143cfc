import Foundation

/// A learning-rate schedule: call `step()` once per epoch (or per step, as you choose),
/// after the optimizer's step, as in PyTorch.
public final class LearningRateSchedule {
    /// How the learning rate depends on the number of schedule steps t.
    public enum Rule {
        /// lr₀ · γ^⌊t / stepSize⌋ (`StepLR`).
        case step(stepSize: Int, gamma: Float)
        /// lr₀ · γ^(number of milestones ≤ t) (`MultiStepLR`).
        case multiStep(milestones: [Int], gamma: Float)
        /// η_min + (lr₀ − η_min)·(1 + cos(π·t / T_max)) / 2 (`CosineAnnealingLR`).
        case cosine(tMax: Int, minimum: Float)
    }

    /// The optimizer whose learning rate the schedule sets.
    public let optimizer: Optimizer
    /// How the learning rate follows the step count.
    public let rule: Rule
    /// lr₀: the optimizer's learning rate when the schedule was made.
    public let initialLearningRate: Float
    /// t: `step()` calls so far.
    public private(set) var steps = 0

    /// A schedule for `optimizer`, starting from its current learning rate.
    public init(_ optimizer: Optimizer, _ rule: Rule) {
        self.optimizer = optimizer
        self.rule = rule
        initialLearningRate = optimizer.learningRate
    }

    /// Advances the schedule and sets the optimizer's learning rate.
    public func step() {
        steps += 1
        optimizer.learningRate = learningRate(at: steps)
    }

    /// The rule's learning rate after `t` steps.
    public func learningRate(at t: Int) -> Float {
        switch rule {
        case let .step(stepSize, gamma):
            return initialLearningRate * Foundation.pow(gamma, Float(t / max(stepSize, 1)))
        case let .multiStep(milestones, gamma):
            return initialLearningRate * Foundation.pow(gamma, Float(milestones.filter { $0 <= t }.count))
        case let .cosine(tMax, minimum):
            let progress = Double(t) / Double(max(tMax, 1))
            return minimum + (initialLearningRate - minimum) * Float((1 + Foundation.cos(Double.pi * progress)) / 2)
        }
    }
}
