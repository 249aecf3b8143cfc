/// What automatic compression must meet: stored size or FLOPs per image as a factor below
/// the uncompressed model's, or a batch-1 latency.
public enum CompressionBudget: Equatable, Sendable, CustomStringConvertible {
    /// Stored bytes (every code, index, scale and float tensor) at most the float
    /// checkpoint's tensor bytes (4 per value) divided by this factor.
    case size(Double)
    /// FLOPs per image that involve a non-zero weight at most the dense FLOPs divided by this factor.
    case flops(Double)
    /// Batch-1 inference time at most this many microseconds, as `LatencyTimer` measures the
    /// deployed model on this machine with the run's kernel threads.
    case latency(microseconds: Double)
    /// Batch-1 inference time at most the uncompressed model's, measured the same way,
    /// divided by this factor: a latency budget that means the same on a slower CPU.
    case latencyFactor(Double)

    /// Reads `size=20x`, `flops=3x` (the `x` is optional), `latency=200us` (also `µs` or
    /// `ms`) or `latency=2x`; a factor must be a finite number ≥ 1, a latency a finite
    /// positive one. Throws `AutoCompressionError.invalidBudget` naming the text otherwise.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw AutoCompressionError.invalidBudget(text, reason: "expected size=FACTORx, flops=FACTORx or latency=MICROSECONDSus, e.g. size=20x")
        }
        func factor(_ text: String) -> Double? {
            let number = text.hasSuffix("x") || text.hasSuffix("×") ? String(text.dropLast()) : text
            return Double(number).flatMap { $0.isFinite && $0 >= 1 ? $0 : nil }
        }
        switch parts[0] {
        case "size", "flops":
            guard let factor = factor(parts[1]) else {
                throw AutoCompressionError.invalidBudget(text, reason: "the factor must be a number ≥ 1, e.g. 20x")
            }
            self = parts[0] == "size" ? .size(factor) : .flops(factor)
        case "latency":
            let units: [(suffix: String, microseconds: Double)] = [("us", 1), ("µs", 1), ("ms", 1000)]
            if let unit = units.first(where: { parts[1].hasSuffix($0.suffix) }),
               let value = Double(parts[1].dropLast(unit.suffix.count)), value.isFinite, value > 0 {
                self = .latency(microseconds: value * unit.microseconds)
            } else if parts[1].hasSuffix("x") || parts[1].hasSuffix("×"), let factor = factor(parts[1]) {
                self = .latencyFactor(factor)
            } else {
                throw AutoCompressionError.invalidBudget(text, reason: "the latency must be a positive number of us (µs) or ms, e.g. 200us, or a factor ≥ 1 below the uncompressed model's, e.g. 2x")
            }
        default:
            throw AutoCompressionError.invalidBudget(text, reason: "unknown budget \"\(parts[0])\" (expected size, flops or latency)")
        }
    }

    /// Whether the budget counts batch-1 time, which a `LatencyTimer` measures.
    public var isLatency: Bool {
        switch self { case .size, .flops: return false; case .latency, .latencyFactor: return true }
    }

    /// Whether fewer bits per weight help meet the budget: only stored size does. FLOPs are
    /// counted per multiply whatever its width, and a deployment computes in float.
    public var countsBits: Bool {
        if case .size = self { return true }
        return false
    }

    /// What the budget counts: "bytes", "FLOPs" or "ns".
    public var unit: String {
        switch self { case .size: return "bytes"; case .flops: return "FLOPs"; case .latency, .latencyFactor: return "ns" }
    }

    /// Of a model's stored bytes, FLOPs and batch-1 nanoseconds, the one this budget counts.
    public func counted(bytes: Int, flops: Int, nanoseconds: Int) -> Int {
        switch self { case .size: return bytes; case .flops: return flops; case .latency, .latencyFactor: return nanoseconds }
    }

    /// The most bytes, FLOPs or nanoseconds allowed when the uncompressed model takes
    /// `reference` (which an absolute latency does not need).
    public func limit(reference: Int) -> Int {
        switch self {
        case let .size(factor), let .flops(factor), let .latencyFactor(factor): return Int((Double(reference) / factor).rounded(.down))
        case let .latency(microseconds): return Int(min((microseconds * 1000).rounded(.down), Double(Int.max / 2)))
        }
    }

    public var description: String {
        // 20x rather than 20.0x; other numbers as Swift prints them.
        func number(_ value: Double) -> String { value == value.rounded() && value < 1e15 ? String(Int(value)) : String(value) }
        switch self {
        case let .size(factor): return "size=\(number(factor))x"
        case let .flops(factor): return "flops=\(number(factor))x"
        case let .latency(microseconds): return "latency=\(number(microseconds))us"
        case let .latencyFactor(factor): return "latency=\(number(factor))x"
        }
    }
}
