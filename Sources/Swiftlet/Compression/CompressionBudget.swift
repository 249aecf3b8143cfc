/// What automatic compression must meet: stored size or FLOPs per image, as a factor below
/// the uncompressed model's.
public enum CompressionBudget: Equatable, Sendable, CustomStringConvertible {
    /// Stored bytes (every code, index, scale and float tensor) at most the float
    /// checkpoint's tensor bytes (4 per value) divided by this factor.
    case size(Double)
    /// FLOPs per image that involve a non-zero weight at most the dense FLOPs divided by this factor.
    case flops(Double)

    /// Reads `size=20x` or `flops=3x` (the `x` is optional); the factor must be a finite
    /// number ≥ 1. Throws `AutoCompressionError.invalidBudget` naming the text otherwise.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw AutoCompressionError.invalidBudget(text, reason: "expected size=FACTORx or flops=FACTORx, e.g. size=20x")
        }
        guard parts[0] == "size" || parts[0] == "flops" else {
            throw AutoCompressionError.invalidBudget(text, reason: "unknown budget \"\(parts[0])\" (expected size or flops)")
        }
        let number = parts[1].hasSuffix("x") || parts[1].hasSuffix("×") ? String(parts[1].dropLast()) : parts[1]
        guard let factor = Double(number), factor.isFinite, factor >= 1 else {
            throw AutoCompressionError.invalidBudget(text, reason: "the factor must be a number ≥ 1, e.g. 20x")
        }
        self = parts[0] == "size" ? .size(factor) : .flops(factor)
    }

    /// The factor below the uncompressed model.
    public var factor: Double {
        switch self { case let .size(f), let .flops(f): return f }
    }

    /// What the budget counts: "bytes" or "FLOPs".
    public var unit: String {
        switch self { case .size: return "bytes"; case .flops: return "FLOPs" }
    }

    /// Of a model's stored bytes and FLOPs, the one this budget counts.
    public func counted(bytes: Int, flops: Int) -> Int {
        switch self { case .size: return bytes; case .flops: return flops }
    }

    /// The most bytes or FLOPs allowed when the uncompressed model takes `reference`.
    public func limit(reference: Int) -> Int {
        Int((Double(reference) / factor).rounded(.down))
    }

    public var description: String {
        // 20x rather than 20.0x; other factors as Swift prints them.
        let number = factor == factor.rounded() && factor < 1e15 ? String(Int(factor)) : String(factor)
        switch self {
        case .size: return "size=\(number)x"
        case .flops: return "flops=\(number)x"
        }
    }
}
