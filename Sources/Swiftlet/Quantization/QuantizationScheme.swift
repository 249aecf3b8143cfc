/// How real numbers are mapped to `bits`-bit integer codes: the linear (affine) quantizers
/// of the source documents and of `torch.ao.quantization` / TF-MOT.
///
/// - `asymmetric` (PyTorch `per_tensor_affine`, TF-MOT "asymmetric"): codes 0 … 2ᵇ−1,
///   x_q = round(x/s) + z with s = (x_max − x_min)/(2ᵇ − 1) and the integer zero point
///   z = −round(x_min/s). This is the documents' x_q = round((x − x_min)/(x_max − x_min)·(2ᵇ−1))
///   with x_min snapped to the grid so that 0.0 is represented exactly (PyTorch's rule:
///   the range is first widened to include 0), which zero padding and ReLU need.
/// - `symmetric` (PyTorch `per_tensor_symmetric` with a narrow range, TF-MOT "symmetric"):
///   codes −(2ᵇ⁻¹−1) … 2ᵇ⁻¹−1, x_q = round(x/s), s = max|x|/(2ᵇ⁻¹ − 1), z = 0.
/// - `floor` rounding is the documents' truncation: x_q = ⌊x/s⌋ + z, and the code stands for
///   the centre of its cell, x̂ = s·(x_q − z + ½), so the error stays within s/2 as for
///   rounding (symmetric truncation uses the full −2ᵇ⁻¹ … 2ᵇ⁻¹−1 codes to cover ±max|x|).
///
/// Dequantization is the affine map w = a·w′ + b of the documents with a = s and
/// b = −s·z (plus s/2 for truncation).
public struct QuantizationScheme: Hashable, Sendable, CustomStringConvertible {
    /// Codes on both sides of a zero point (`asymmetric`) or centred on zero (`symmetric`); see above.
    public enum Mapping: String, Hashable, Sendable {
        /// Codes 0 … 2ᵇ−1 with an integer zero point: fits a range such as a ReLU's [0, max].
        case asymmetric
        /// Codes −(2ᵇ⁻¹−1) … 2ᵇ⁻¹−1 and zero point 0: fits weights centred on zero.
        case symmetric
    }
    /// Round to the nearest code, or truncate (`floor`) as the source documents do.
    public enum Rounding: String, Hashable, Sendable {
        /// x_q = round(x/s) + z.
        case nearest
        /// x_q = ⌊x/s⌋ + z, the code standing for the centre of its cell.
        case floor
    }
    /// One scale for the whole tensor, or one per slice along axis 0 (output channel).
    public enum Granularity: String, Hashable, Sendable {
        /// One scale and zero point for the whole tensor.
        case perTensor
        /// One scale and zero point per output channel, for weights whose channels differ in range.
        case perChannel
    }

    /// The code width, 1 … 16.
    public let bits: Int
    /// How the range maps onto the codes.
    public let mapping: Mapping
    /// How a value picks its code.
    public let rounding: Rounding
    /// Whether one scale covers the tensor or each output channel has its own.
    public let granularity: Granularity

    /// Throws unless 1 ≤ bits ≤ 16 (2 ≤ bits for symmetric: one bit leaves it no level
    /// besides zero; use `QuantizationFormat.binary` instead).
    public init(bits: Int, mapping: Mapping = .asymmetric, rounding: Rounding = .nearest,
                granularity: Granularity = .perTensor) throws {
        guard ((mapping == .symmetric ? 2 : 1)...16).contains(bits) else {
            throw QuantizationError.bitsOutOfRange(bits, mapping: mapping)
        }
        self.init(checkedBits: bits, mapping, rounding, granularity)
    }

    private init(checkedBits bits: Int, _ mapping: Mapping, _ rounding: Rounding, _ granularity: Granularity) {
        self.bits = bits
        self.mapping = mapping
        self.rounding = rounding
        self.granularity = granularity
    }

    /// 8-bit asymmetric per-tensor rounding: PyTorch's default for activations.
    public static let int8Activations = QuantizationScheme(checkedBits: 8, .asymmetric, .nearest, .perTensor)
    /// 8-bit symmetric per-channel rounding: PyTorch's default for x86 weights.
    public static let int8Weights = QuantizationScheme(checkedBits: 8, .symmetric, .nearest, .perChannel)

    /// The smallest and largest code.
    public var codeRange: ClosedRange<Int32> {
        switch (mapping, rounding) {
        case (.asymmetric, _): return 0...Int32((1 << bits) - 1)
        case (.symmetric, .nearest): return -Int32((1 << (bits - 1)) - 1)...Int32((1 << (bits - 1)) - 1)
        case (.symmetric, .floor): return -Int32(1 << (bits - 1))...Int32((1 << (bits - 1)) - 1)
        }
    }

    /// Why `p` cannot quantize with this scheme, or nil: the scale must be finite and
    /// positive (values are divided by it, and it becomes requantization multipliers) and the
    /// zero point one of the codes (it is held in int8 and subtracted from codes in Int32).
    public func problem(with p: AffineParameters) -> String? {
        guard p.scale.isFinite, p.scale > 0 else { return "scale \(p.scale) is not a finite positive number" }
        guard codeRange.contains(p.zeroPoint) else {
            return "zero point \(p.zeroPoint) is not one of the \(self)'s codes \(codeRange.lowerBound)…\(codeRange.upperBound)"
        }
        return nil
    }

    /// Scale and zero point for values observed in [minimum, maximum].
    public func parameters(minimum: Float, maximum: Float) -> AffineParameters {
        let qmin = Float(codeRange.lowerBound), qmax = Float(codeRange.upperBound)
        // PyTorch's smallest scale: an all-zero tensor must not divide by zero.
        let smallestScale = Float.ulpOfOne
        switch mapping {
        case .symmetric:
            let magnitude = Swift.max(abs(minimum.isFinite ? minimum : 0), abs(maximum.isFinite ? maximum : 0))
            return AffineParameters(scale: Swift.max(magnitude / Float((1 << (bits - 1)) - 1), smallestScale), zeroPoint: 0)
        case .asymmetric:
            let low = Swift.min(minimum.isFinite ? minimum : 0, 0), high = Swift.max(maximum.isFinite ? maximum : 0, 0)
            let scale = Swift.max((high - low) / Float((1 << bits) - 1), smallestScale)
            // Truncation's cells start at ⌊low/s⌋·s ≤ low; rounding's grid puts low within s/2.
            let offset = rounding == .nearest ? (low / scale).rounded(.toNearestOrEven) : (low / scale).rounded(.down)
            return AffineParameters(scale: scale, zeroPoint: Int32(Swift.min(Swift.max(qmin - offset, qmin), qmax)))
        }
    }

    /// The code of one value (NaN maps to the zero point).
    @inline(__always)
    public func code(of x: Float, _ p: AffineParameters) -> Int32 {
        let scaled = x / p.scale
        guard !scaled.isNaN else { return p.zeroPoint }
        let level = (rounding == .nearest ? scaled.rounded(.toNearestOrEven) : scaled.rounded(.down)) + Float(p.zeroPoint)
        // Clamp in Float first: Int32(x) traps beyond ±2³¹.
        return Int32(Swift.min(Swift.max(level, Float(codeRange.lowerBound)), Float(codeRange.upperBound)))
    }

    /// The value a code stands for.
    @inline(__always)
    public func value(of code: Int32, _ p: AffineParameters) -> Float {
        let level = Float(code - p.zeroPoint)
        return p.scale * (rounding == .nearest ? level : level + 0.5)
    }

    public var description: String {
        "\(bits)-bit \(mapping) \(rounding == .nearest ? "rounding" : "truncation") \(granularity == .perTensor ? "per-tensor" : "per-channel")"
    }
}

/// Scale s and integer zero point z of one tensor or channel: x ≈ s·(x_q − z).
public struct AffineParameters: Hashable, Sendable {
    /// s: the real-valued step between adjacent codes.
    public var scale: Float
    /// z: the code that stands for 0.0 exactly.
    public var zeroPoint: Int32

    /// Parameters with scale s and zero point z.
    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }
}
