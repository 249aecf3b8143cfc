/// When iterative pruning prunes, and to what sparsity: `targetSparsity(atStep:)` is the
/// sparsity (0…1) to prune to at the start of step (epoch) `step`, or nil to only train.
public protocol PruningSchedule {
    /// The sparsity (0…1) to prune to at the start of `step`, or nil to only train.
    func targetSparsity(atStep step: Int) -> Float?
}

/// Automated gradual pruning (Zhu & Gupta 2017, "To prune, or not to prune"): from step t₀,
/// every Δt steps, n times, prune to
///
///     s_t = s_f + (s_i − s_f) · (1 − (t − t₀) / (n·Δt))³
///
/// which removes many weights early, while they are redundant, and few near the end.
public struct GradualPruningSchedule: PruningSchedule {
    /// s_i, the sparsity of the first pruning step (at t₀).
    public let initialSparsity: Float
    /// s_f, reached at t₀ + n·Δt.
    public let finalSparsity: Float
    /// t₀.
    public let startStep: Int
    /// Δt, steps between pruning steps.
    public let frequency: Int
    /// n, the number of pruning intervals.
    public let intervals: Int

    /// Throws unless both sparsities are in [0, 1], `startStep` ≥ 0, and `frequency`, `intervals` ≥ 1.
    public init(initialSparsity: Float = 0, finalSparsity: Float, startStep: Int = 0, frequency: Int = 1, intervals: Int) throws {
        for (name, value) in [("initial", initialSparsity), ("final", finalSparsity)] where !(value >= 0 && value <= 1) {
            throw PruningError.sparsityOutOfRange(value, setting: "\(name) sparsity of GradualPruningSchedule", accepted: "[0, 1]")
        }
        guard startStep >= 0, frequency >= 1, intervals >= 1 else {
            throw PruningError.invalidSchedule(startStep: startStep, frequency: frequency, intervals: intervals)
        }
        self.initialSparsity = initialSparsity
        self.finalSparsity = finalSparsity
        self.startStep = startStep
        self.frequency = frequency
        self.intervals = intervals
    }

    /// The last pruning step, t₀ + n·Δt.
    public var endStep: Int { startStep + intervals * frequency }

    /// s_t: s_i before t₀, the cubic between t₀ and t₀ + n·Δt, s_f after.
    public func sparsity(atStep step: Int) -> Float {
        let progress = Float(min(max(step - startStep, 0), intervals * frequency)) / Float(intervals * frequency)
        let remaining = 1 - progress
        return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining
    }

    /// s_t at t₀, t₀ + Δt, …, t₀ + n·Δt; nil at every other step.
    public func targetSparsity(atStep step: Int) -> Float? {
        guard step >= startStep, step <= endStep, (step - startStep) % frequency == 0 else { return nil }
        return sparsity(atStep: step)
    }
}

/// Han et al. 2015-style iterative pruning: round r starts at step r · `stepsPerRound` and
/// prunes to `sparsities[r]`; the steps in between retrain.
public struct PruningRounds: PruningSchedule {
    /// The sparsity (0…1) of each round, in order.
    public let sparsities: [Float]
    /// Steps (epochs) per round: one pruning step, then retraining.
    public let stepsPerRound: Int

    /// Throws unless `stepsPerRound` ≥ 1 and every sparsity is in [0, 1].
    public init(sparsities: [Float], stepsPerRound: Int) throws {
        guard stepsPerRound >= 1 else {
            throw PruningError.invalidStepsPerRound(stepsPerRound)
        }
        if let bad = sparsities.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw PruningError.sparsityOutOfRange(bad, setting: "a sparsity of PruningRounds", accepted: "[0, 1]")
        }
        self.sparsities = sparsities
        self.stepsPerRound = stepsPerRound
    }

    /// Steps to run for every round to prune and then retrain.
    public var totalSteps: Int { sparsities.count * stepsPerRound }

    /// `sparsities[r]` at the first step of round r; nil at every other step.
    public func targetSparsity(atStep step: Int) -> Float? {
        guard step >= 0, step % stepsPerRound == 0, step / stepsPerRound < sparsities.count else { return nil }
        return sparsities[step / stepsPerRound]
    }
}
