/// Fake quantization of activations with an observer that sets the range: torch.ao's
/// `FakeQuantize` module. Calibration runs with `isObserving` on and `isQuantizing` off;
/// quantization-aware training with both on; a frozen, calibrated model with only
/// `isQuantizing`.
public final class ActivationQuantizer {
    /// Must be per-tensor: an activation has one scale.
    public let scheme: QuantizationScheme
    /// Sets the range that the scale and zero point are computed from.
    public let observer: QuantizationObserver
    /// Whether each call feeds the observer (calibration, QAT); off freezes the parameters.
    public var isObserving = true
    /// Whether each call rounds its input to the grid; off passes it through unchanged.
    public var isQuantizing = true

    /// A quantizer on `scheme`'s grid with its range from `observer`; throws for a per-channel scheme.
    public init(scheme: QuantizationScheme, observer: QuantizationObserver) throws {
        guard scheme.granularity == .perTensor else {
            throw QuantizationError.perChannelActivations(scheme)
        }
        self.scheme = scheme
        self.observer = observer
    }

    /// A quantizer with stored parameters (from a quantized checkpoint), not observing.
    /// Observing again hands the parameters back to the observer. Throws unless the scale is
    /// finite and positive and the zero point one of the scheme's codes.
    public convenience init(scheme: QuantizationScheme, frozen parameters: AffineParameters) throws {
        if let problem = scheme.problem(with: parameters) {
            throw QuantizationError.invalidParameters(owner: "ActivationQuantizer frozen parameters", problem: problem)
        }
        try self.init(scheme: scheme, observer: MinMaxObserver())
        frozenParameters = parameters
        isObserving = false
    }

    private var frozenParameters: AffineParameters?

    /// The stored parameters, or those for the range observed so far; nil before any batch.
    public var parameters: AffineParameters? {
        frozenParameters ?? observer.range.map { scheme.parameters(minimum: $0.min, maximum: $0.max) }
    }

    /// `x` observed and/or rounded to the grid as the two switches say; the gradient passes straight through inside the range.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if isObserving {
            observer.observe(x.scalars)
            frozenParameters = nil
        }
        guard isQuantizing, let parameters else { return x }
        return x.fakeQuantized(scheme, parameters)
    }
}
