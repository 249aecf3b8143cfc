import Foundation

/// A learning-rate schedule: call `step()` once per epoch (or per step, as you choose),
/// after the optimizer's step, as in PyTorch. `Trainer` calls it for you, per epoch or per
/// optimizer step (`Trainer.scheduleClock`).
public final class LearningRateSchedule {
    /// How the learning rate depends on the number of schedule steps t.
    public enum Rule {
        /// lr₀ throughout: a warm-up alone.
        case constant
        /// lr₀ · γ^⌊t / stepSize⌋ (`StepLR`).
        case step(stepSize: Int, gamma: Float)
        /// lr₀ · γ^(number of milestones ≤ t) (`MultiStepLR`).
        case multiStep(milestones: [Int], gamma: Float)
        /// η_min + (lr₀ − η_min)·(1 + cos(π·t / T_max)) / 2 (`CosineAnnealingLR`).
        case cosine(tMax: Int, minimum: Float)
        /// Smith's one-cycle policy as PyTorch's `OneCycleLR` sets the learning rate (momentum is
        /// not cycled): from lr₀/`initialDivisor` up to lr₀ at step `warmupFraction`·`totalSteps` − 1,
        /// then down to lr₀/(`initialDivisor`·`finalDivisor`) at step `totalSteps` − 1 and after,
        /// both halves cosine-shaped; lr₀ is the peak.
        case oneCycle(totalSteps: Int, warmupFraction: Double = 0.3, initialDivisor: Float = 25, finalDivisor: Float = 10_000)
    }

    /// The optimizer whose learning rate the schedule sets.
    public let optimizer: Optimizer
    /// How the learning rate follows the step count.
    public let rule: Rule
    /// Steps of linear warm-up before `rule` starts: step t < `warmupSteps` uses
    /// lr₀·(t + 1)/`warmupSteps`; after it the rule runs from its own t = 0.
    public let warmupSteps: Int
    /// lr₀: the optimizer's learning rate when the schedule was made.
    public let initialLearningRate: Float
    /// t: `step()` calls so far.
    public private(set) var steps = 0

    /// A schedule for `optimizer`, starting from its current learning rate, after
    /// `warmupSteps` steps of linear warm-up (none by default). A schedule that starts below
    /// lr₀ (a warm-up, one-cycle) sets the optimizer's learning rate for step 0 at once.
    public init(_ optimizer: Optimizer, _ rule: Rule, warmupSteps: Int = 0) {
        self.optimizer = optimizer
        self.rule = rule
        self.warmupSteps = max(warmupSteps, 0)
        initialLearningRate = optimizer.learningRate
        // Only these: for the other rules learningRate(at: 0) may differ from lr₀ in the last bit.
        if startsBelowInitialRate { optimizer.learningRate = learningRate(at: 0) }
    }

    /// Advances the schedule and sets the optimizer's learning rate.
    public func step() {
        steps += 1
        optimizer.learningRate = learningRate(at: steps)
    }

    /// Puts the schedule at position `t` (a resumed run's) and sets the optimizer's learning rate.
    public func resume(atStep t: Int) {
        steps = t
        optimizer.learningRate = t == 0 && !startsBelowInitialRate ? initialLearningRate : learningRate(at: t)
    }

    private var startsBelowInitialRate: Bool {
        if case .oneCycle = rule { return true }
        return warmupSteps > 0
    }

    /// The learning rate after `t` steps: the warm-up's, then the rule's.
    public func learningRate(at t: Int) -> Float {
        if t < warmupSteps { return initialLearningRate * Float(t + 1) / Float(warmupSteps) }
        return ruleLearningRate(at: t - warmupSteps)
    }

    private func ruleLearningRate(at t: Int) -> Float {
        switch rule {
        case .constant:
            return initialLearningRate
        case let .step(stepSize, gamma):
            return initialLearningRate * Foundation.pow(gamma, Float(t / max(stepSize, 1)))
        case let .multiStep(milestones, gamma):
            return initialLearningRate * Foundation.pow(gamma, Float(milestones.filter { $0 <= t }.count))
        case let .cosine(tMax, minimum):
            return Self.cosine(from: initialLearningRate, to: minimum, progress: Double(t) / Double(max(tMax, 1)))
        case let .oneCycle(totalSteps, warmupFraction, initialDivisor, finalDivisor):
            // PyTorch's phase boundaries: the peak at step warmupFraction·T − 1, the end at T − 1.
            let peak = Double(initialLearningRate), start = peak / Double(initialDivisor), end = start / Double(finalDivisor)
            let risingEnd = warmupFraction * Double(totalSteps) - 1, fallingEnd = Double(totalSteps - 1), step = Double(t)
            if step <= risingEnd, risingEnd > 0 { return Float(Self.annealedCosine(from: start, to: peak, progress: step / risingEnd)) }
            let peakStep = max(risingEnd, 0)
            guard fallingEnd > peakStep else { return Float(end) }
            return Float(Self.annealedCosine(from: peak, to: end, progress: min((step - peakStep) / (fallingEnd - peakStep), 1)))
        }
    }

    /// PyTorch's `_annealing_cos`, in Double as Python computes it.
    private static func annealedCosine(from start: Double, to end: Double, progress: Double) -> Double {
        end + (start - end) / 2 * (Foundation.cos(Double.pi * progress) + 1)
    }

    /// `to` + (`from` − `to`)·(1 + cos(π·progress)) / 2: `from` at progress 0, `to` at 1.
    private static func cosine(from: Float, to: Float, progress: Double) -> Float {
        to + (from - to) * Float((1 + Foundation.cos(Double.pi * progress)) / 2)
    }
}
