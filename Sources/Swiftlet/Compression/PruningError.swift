/// Why a pruning pass or schedule was refused. Each message names the value that was
/// received and says what would have been accepted.
public enum PruningError: Error, Equatable, CustomStringConvertible {
    /// A sparsity (a fraction of weights to remove) outside `accepted`, e.g. "[0, 1)";
    /// `setting` names it ("sparsity", "final sparsity of GradualPruningSchedule").
    case sparsityOutOfRange(Float, setting: String, accepted: String)
    /// GradualPruningSchedule needs startStep ≥ 0, frequency ≥ 1 and intervals ≥ 1.
    case invalidSchedule(startStep: Int, frequency: Int, intervals: Int)
    /// PruningRounds needs at least one step per round.
    case invalidStepsPerRound(Int)
    /// The selection picked no parameter; `parameters` are the model's parameter names.
    case nothingSelected(parameters: [String])
    /// A per-tensor sparsity names a tensor that is not among the `selected` ones.
    case unknownParameter(String, selected: [String])
    /// Given scores for `target` (a tensor, a channel group) hold `count` values, not `expected`.
    case scoreCountMismatch(target: String, count: Int, expected: Int)
    /// Taylor importance averages gradients over batches, so it needs at least one.
    case noBatches
    /// The model has `groups` channel groups; there is no group `index`.
    case noChannelGroup(Int, groups: Int)
    /// The channels that `layers` produce cannot be removed (`reason`: e.g. they feed the output).
    case channelsBlocked(layers: [String], reason: String)
    /// `channel` is not one of the `channels` of the group that `layers` produce.
    case channelOutOfRange(Int, layers: [String], channels: Int)
    /// Removing every one of the `channels` of a group would leave a layer without outputs.
    case removesEveryChannel(layers: [String], channels: Int)
    /// The fraction of multiply-accumulates to remove must lie strictly between 0 and 1.
    case macsReductionOutOfRange(Double)
    /// Channel counts are rounded to a multiple of `roundTo`, which must be at least 1.
    case invalidRoundTo(Int)
    /// Even keeping one channel per group leaves more than (1 − `macsReduction`) of the MACs.
    case macsReductionUnreachable(Double)
    /// The module at `path` runs no conv2d or linear op whose output channels could be
    /// removed; `producers` are the layers that do.
    case notAChannelProducer(String, producers: [String])

    public var description: String {
        switch self {
        case let .sparsityOutOfRange(value, setting, accepted):
            return "\(setting) must be in \(accepted), got \(value)"
        case let .invalidSchedule(startStep, frequency, intervals):
            return "GradualPruningSchedule needs startStep ≥ 0, frequency ≥ 1 and intervals ≥ 1; got startStep \(startStep), frequency \(frequency), intervals \(intervals)"
        case let .invalidStepsPerRound(steps):
            return "PruningRounds: stepsPerRound must be at least 1, got \(steps)"
        case let .nothingSelected(parameters):
            return "no parameters were selected for pruning; the model's parameters: \(list(parameters))"
        case let .unknownParameter(name, selected):
            return "no selected parameter is named \"\(name)\"; selected: \(list(selected))"
        case let .scoreCountMismatch(target, count, expected):
            return "scores for \(target) must hold \(expected) values, got \(count)"
        case .noBatches:
            return "taylorImportance needs at least one batch, got none"
        case let .noChannelGroup(index, groups):
            return "there is no channel group \(index); the model has \(groups) (0..<\(groups))"
        case let .channelsBlocked(layers, reason):
            return "the channels of \(list(layers)) cannot be removed: \(reason)"
        case let .channelOutOfRange(channel, layers, channels):
            return "channel \(channel) is out of range: the group of \(list(layers)) has \(channels) channels (0..<\(channels))"
        case let .removesEveryChannel(layers, channels):
            return "cannot remove all \(channels) channels of the group of \(list(layers)); at least one must stay"
        case let .macsReductionOutOfRange(value):
            return "the MACs reduction must be between 0 and 1 (exclusive), got \(value)"
        case let .invalidRoundTo(value):
            return "roundTo must be at least 1, got \(value)"
        case let .macsReductionUnreachable(reduction):
            return "a MACs reduction of \(reduction) is out of reach: even one channel per group leaves more than \(Int(((1 - reduction) * 100).rounded())) % of the MACs"
        case let .notAChannelProducer(path, producers):
            return "\"\(path)\" runs no conv2d or linear op of its own whose output channels could be removed; layers that do: \(list(producers))"
        }
    }
}

/// Names joined for a message, "none" for no names.
private func list(_ names: [String]) -> String {
    names.isEmpty ? "none" : names.joined(separator: ", ")
}
