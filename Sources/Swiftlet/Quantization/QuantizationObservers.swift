/// Watches the values a tensor takes (activations during calibration or training) and
/// proposes the range [min, max] to quantize it over — torch.ao.quantization's observers.
public protocol QuantizationObserver: AnyObject {
    /// Takes in one batch of values.
    func observe(_ values: [Float])
    /// The range so far; nil before any finite value was seen.
    var range: (min: Float, max: Float)? { get }
    /// Forgets everything observed.
    func reset()
}

/// The running minimum and maximum (`MinMaxObserver`).
public final class MinMaxObserver: QuantizationObserver {
    public private(set) var range: (min: Float, max: Float)?

    /// An observer that has seen nothing yet.
    public init() {}

    public func observe(_ values: [Float]) {
        guard let batch = finiteRange(values) else { return }
        range = range.map { (min($0.min, batch.min), max($0.max, batch.max)) } ?? batch
    }

    public func reset() { range = nil }
}

/// An exponential moving average of each batch's minimum and maximum
/// (`MovingAverageMinMaxObserver`): min ← min + c·(batch min − min), likewise max.
/// The first batch sets the range; outliers of one batch move it by a fraction c only.
public final class MovingAverageMinMaxObserver: QuantizationObserver {
    /// c, PyTorch's `averaging_constant` (default 0.01).
    public let averagingConstant: Float
    public private(set) var range: (min: Float, max: Float)?

    /// An observer that moves a fraction c of the way to each batch's range.
    public init(averagingConstant: Float = 0.01) {
        self.averagingConstant = averagingConstant
    }

    public func observe(_ values: [Float]) {
        guard let batch = finiteRange(values) else { return }
        let c = averagingConstant
        range = range.map { ($0.min + c * (batch.min - $0.min), $0.max + c * (batch.max - $0.max)) } ?? batch
    }

    public func reset() { range = nil }
}

/// The mean, over observed batches, of each batch's p-th and (100 − p)-th percentiles:
/// clips the rare extreme values so the rest get finer steps (TensorRT's percentile
/// calibration; p = 99.99 by default).
public final class PercentileObserver: QuantizationObserver {
    /// p: the upper percentile kept; the lower bound uses 100 − p.
    public let percentile: Double
    private var sum: (min: Double, max: Double) = (0, 0)
    private var batches = 0

    /// `percentile` in (50, 100].
    public init(percentile: Double = 99.99) throws {
        guard percentile > 50, percentile <= 100 else {
            throw QuantizationError.percentileOutOfRange(percentile)
        }
        self.percentile = percentile
    }

    public var range: (min: Float, max: Float)? {
        batches == 0 ? nil : (Float(sum.min / Double(batches)), Float(sum.max / Double(batches)))
    }

    public func observe(_ values: [Float]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return }
        // Nearest-rank percentiles.
        let last = sorted.count - 1
        let high = sorted[min(last, Int((percentile / 100 * Double(last)).rounded()))]
        let low = sorted[max(0, Int(((100 - percentile) / 100 * Double(last)).rounded()))]
        sum = (sum.min + Double(low), sum.max + Double(high))
        batches += 1
    }

    public func reset() {
        sum = (0, 0)
        batches = 0
    }
}

private func finiteRange(_ values: [Float]) -> (min: Float, max: Float)? {
    var low = Float.infinity, high = -Float.infinity
    for x in values where x.isFinite {
        low = min(low, x)
        high = max(high, x)
    }
    return low <= high ? (low, high) : nil
}
