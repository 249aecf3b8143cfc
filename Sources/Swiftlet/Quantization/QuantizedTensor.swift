import SwiftletKernels

/// What a tensor is turned into: integer codes of a linear scheme, signs (binary), three
/// levels (ternary), or IEEE half precision.
public enum QuantizationFormat: Hashable, Sendable, CustomStringConvertible {
    /// Linear quantization (`QuantizationScheme`).
    case affine(QuantizationScheme)
    /// w ≈ α·sign(w) with α = mean|w| per tensor or channel (BinaryConnect / XNOR-Net's scale).
    case binary(QuantizationScheme.Granularity)
    /// w ≈ α·t, t ∈ {−1, 0, 1}, t = 0 where |w| ≤ Δ = 0.7·mean|w|, α = mean|w| over |w| > Δ
    /// (Ternary Weight Networks, Li et al. 2016).
    case ternary(QuantizationScheme.Granularity)
    /// IEEE binary16 (TFLite's float16 post-training quantization).
    case float16

    /// Bits one element occupies when stored.
    public var bitsPerCode: Int {
        switch self {
        case let .affine(scheme): return scheme.bits
        case .binary: return 1
        case .ternary: return 2
        case .float16: return 16
        }
    }

    /// Per-tensor or per-channel scales (float16 has none: reported as per-tensor).
    public var granularity: QuantizationScheme.Granularity {
        switch self {
        case let .affine(scheme): return scheme.granularity
        case let .binary(granularity), let .ternary(granularity): return granularity
        case .float16: return .perTensor
        }
    }

    public var description: String {
        switch self {
        case let .affine(scheme): return scheme.description
        case let .binary(granularity): return "binary \(granularity)"
        case let .ternary(granularity): return "ternary \(granularity)"
        case .float16: return "float16"
        }
    }
}

/// A quantized tensor: its integer codes and what is needed to turn them back into values.
///
/// Codes per format: affine — the scheme's codes; binary — 0 (−α) or 1 (+α); ternary —
/// 0, 1, 2 for −α, 0, +α; float16 — the 16-bit patterns.
public struct QuantizedTensor: Equatable {
    /// The original tensor's shape.
    public let shape: [Int]
    /// How the codes map back to values.
    public let format: QuantizationFormat
    /// One code per element, row-major.
    public let codes: [Int32]
    /// One per channel (axis 0) or one for the tensor; α for binary/ternary; empty for float16.
    public let scales: [Float]
    /// Affine only: one per scale.
    public let zeroPoints: [Int32]

    /// Quantizes `tensor`, finding scales and zero points from its own range (min-max).
    public init(quantizing tensor: Tensor, as format: QuantizationFormat) throws {
        let channels = try channelCount(of: tensor.shape, format.granularity)
        let length = tensor.count / max(channels, 1)
        shape = tensor.shape
        self.format = format
        switch format {
        case let .affine(scheme):
            let parameters = (0..<channels).map { channel in
                let slice = tensor.scalars[channel * length..<(channel + 1) * length]
                return scheme.parameters(minimum: slice.min() ?? 0, maximum: slice.max() ?? 0)
            }
            codes = tensor.scalars.indices.map { scheme.code(of: tensor.scalars[$0], parameters[$0 / max(length, 1)]) }
            scales = parameters.map(\.scale)
            zeroPoints = parameters.map(\.zeroPoint)
        case .binary:
            scales = (0..<channels).map { meanMagnitude(tensor.scalars[$0 * length..<($0 + 1) * length]) }
            codes = tensor.scalars.map { $0 >= 0 ? 1 : 0 }
            zeroPoints = []
        case .ternary:
            let thresholds = (0..<channels).map { 0.7 * meanMagnitude(tensor.scalars[$0 * length..<($0 + 1) * length]) }
            codes = tensor.scalars.indices.map { i in
                let x = tensor.scalars[i], delta = thresholds[i / max(length, 1)]
                return x > delta ? 2 : (x < -delta ? 0 : 1)
            }
            scales = (0..<channels).map { channel in
                let kept = tensor.scalars[channel * length..<(channel + 1) * length].filter { abs($0) > thresholds[channel] }
                return meanMagnitude(kept[...])
            }
            zeroPoints = []
        case .float16:
            codes = tensor.scalars.map { Int32(HalfPrecision.bits(of: $0)) }
            scales = []
            zeroPoints = []
        }
    }

    /// Reassembles a quantized tensor from stored parts; throws if they do not fit together
    /// or hold values no quantizer makes: a code outside the format's, a scale that is not
    /// finite and positive (finite and non-negative for binary and ternary α), an affine zero
    /// point outside the codes. Stored parts come from files, and the kernels trust them.
    public init(shape: [Int], format: QuantizationFormat, codes: [Int32], scales: [Float], zeroPoints: [Int32]) throws {
        guard ShapeArithmetic.byteCount(of: shape) != nil else {
            throw QuantizationError.shapeTooLarge(shape)
        }
        let channels = try channelCount(of: shape, format.granularity)
        let expectedScales: Int, expectedZeroPoints: Int
        switch format {
        case .affine: (expectedScales, expectedZeroPoints) = (channels, channels)
        case .binary, .ternary: (expectedScales, expectedZeroPoints) = (channels, 0)
        case .float16: (expectedScales, expectedZeroPoints) = (0, 0)
        }
        guard codes.count == shape.elementCount, scales.count == expectedScales, zeroPoints.count == expectedZeroPoints else {
            throw QuantizationError.partCountMismatch(shape: shape, format: format, expected: [shape.elementCount, expectedScales, expectedZeroPoints],
                                                     got: [codes.count, scales.count, zeroPoints.count])
        }
        switch format {
        case let .affine(scheme):
            for (scale, zeroPoint) in zip(scales, zeroPoints) {
                if let problem = scheme.problem(with: AffineParameters(scale: scale, zeroPoint: zeroPoint)) {
                    throw QuantizationError.invalidParameters(owner: "\(format)", problem: problem)
                }
            }
            if let code = codes.first(where: { !scheme.codeRange.contains($0) }) {
                throw QuantizationError.codeOutOfRange(code, format: format, lowest: scheme.codeRange.lowerBound, highest: scheme.codeRange.upperBound)
            }
        case .binary, .ternary:
            if let scale = scales.first(where: { !($0.isFinite && $0 >= 0) }) { throw QuantizationError.invalidScale(scale, format: format) }
            let highest: Int32 = format == .binary(format.granularity) ? 1 : 2
            if let code = codes.first(where: { !(0...highest).contains($0) }) {
                throw QuantizationError.codeOutOfRange(code, format: format, lowest: 0, highest: highest)
            }
        case .float16:
            break
        }
        self.shape = shape
        self.format = format
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// The values the codes stand for.
    public func dequantized() -> Tensor {
        let length = codes.count / max(scales.count, 1)
        let values: [Float]
        switch format {
        case let .affine(scheme):
            values = codes.indices.map { i in
                let channel = i / max(length, 1)
                return scheme.value(of: codes[i], AffineParameters(scale: scales[channel], zeroPoint: zeroPoints[channel]))
            }
        case .binary:
            values = codes.indices.map { scales[$0 / max(length, 1)] * Float(2 * codes[$0] - 1) }
        case .ternary:
            values = codes.indices.map { scales[$0 / max(length, 1)] * Float(codes[$0] - 1) }
        case .float16:
            values = codes.map { HalfPrecision.value(ofBits: UInt16(truncatingIfNeeded: $0)) }
        }
        return Tensor(shape: shape, scalars: values)
    }
}

/// How many scales a tensor of `shape` gets: 1, or its size along axis 0.
func channelCount(of shape: [Int], _ granularity: QuantizationScheme.Granularity) throws -> Int {
    guard granularity == .perChannel else { return 1 }
    guard let channels = shape.first, channels > 0 else {
        throw QuantizationError.emptyChannelAxis(shape: shape)
    }
    return channels
}

private func meanMagnitude(_ values: ArraySlice<Float>) -> Float {
    values.isEmpty ? 0 : values.reduce(0) { $0 + abs($1) } / Float(values.count)
}
