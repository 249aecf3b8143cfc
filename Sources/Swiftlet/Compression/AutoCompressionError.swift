/// Why automatic compression could not take a budget, a setting or a model.
public enum AutoCompressionError: Error, Equatable, CustomStringConvertible {
    /// `text` is not a budget this library reads (`reason` says what was expected).
    case invalidBudget(String, reason: String)
    /// A `CompressionSetting` out of range.
    case invalidSetting(String)
    /// No setting of every layer fits `budget`: the least the settings reach is `smallest`
    /// (bytes, FLOPs or nanoseconds) against a limit of `limit`.
    case unreachableBudget(CompressionBudget, limit: Int, smallest: Int)
    /// The model has no `Quantizable` layer whose weight is prunable, so nothing to allocate.
    case noCompressibleLayer
    /// The list of settings to choose from was empty.
    case noSettings
    /// The allocation for `budget` is predicted to lose `predicted` points, more than `allowed`.
    case predictedDropTooLarge(CompressionBudget, predicted: Double, allowed: Double)
    /// The compressed model, measured, takes `measured` bytes, FLOPs or nanoseconds against a limit of `limit`.
    case budgetMissed(CompressionBudget, limit: Int, measured: Int)
    /// A latency budget was asked of a profile measured without a `LatencyTimer`.
    case latencyNotMeasured(CompressionBudget)
    /// The compressible layer at this path did not run when the timer's example went
    /// through the model, so it has no input to be timed on.
    case layerNotCalled(String)

    public var description: String {
        switch self {
        case let .invalidBudget(text, reason):
            return "budget \"\(text)\": \(reason)"
        case let .invalidSetting(problem):
            return "compression setting: \(problem)"
        case let .unreachableBudget(budget, limit, smallest):
            return "budget \(budget) needs at most \(limit) \(budget.unit), but the smallest allocation of the settings tried takes \(smallest)"
        case .noCompressibleLayer:
            return "automatic compression: the model has no Quantizable layer with a prunable weight"
        case .noSettings:
            return "automatic compression: no compression settings to choose from"
        case let .predictedDropTooLarge(budget, predicted, allowed):
            return "budget \(budget): the best allocation is predicted to lose \(predicted) points of accuracy, more than --max-drop \(allowed)"
        case let .budgetMissed(budget, limit, measured):
            return "budget \(budget): the compressed model measures \(measured) \(budget.unit), over the limit of \(limit)"
        case let .latencyNotMeasured(budget):
            return "budget \(budget): the sensitivity profile was measured without a LatencyTimer, so it has no layer times"
        case let .layerNotCalled(path):
            return "automatic compression: the layer \"\(path)\" did not run on the timer's example, so it cannot be timed"
        }
    }
}
