/// The values a numeric option accepts; its description completes "expects …".
public enum ValueRange<Bound: Comparable & SignedNumeric & Sendable>: Sendable, Equatable {
    case any
    case nonNegative
    case positive
    case within(ClosedRange<Bound>)

    public func contains(_ value: Bound) -> Bool {
        switch self {
        case .any: return true
        case .nonNegative: return value >= 0
        case .positive: return value > 0
        case let .within(range): return range.contains(value)
        }
    }

    /// E.g. "a positive integer", "a number from 0 to 1".
    func describe(_ noun: String) -> String {
        switch self {
        case .any: return "\(noun == "integer" ? "an" : "a") \(noun)"
        case .nonNegative: return "a non-negative \(noun)"
        case .positive: return "a positive \(noun)"
        case let .within(range):
            return "\(noun == "integer" ? "an" : "a") \(noun) from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"
        }
    }

    /// `1.0` reads better as `1` in a message.
    private static func text(_ bound: Bound) -> String {
        let text = "\(bound)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

extension ValueRange where Bound == Int {
    /// Epochs, pruning steps and rounds: far above any real run, and small enough that
    /// products with them (epochs × rounds × batches per epoch) cannot overflow an `Int`.
    public static let epochs = ValueRange.within(1...100_000)
    /// As `epochs`, zero allowed (`--retrain-epochs 0`: no retraining).
    public static let epochsOrNone = ValueRange.within(0...100_000)
    /// Images (batch sizes, calibration and verification images) and optimizer steps.
    public static let images = ValueRange.within(1...100_000_000)
}
