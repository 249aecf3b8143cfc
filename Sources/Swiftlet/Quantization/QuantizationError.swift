/// Why a quantization setting, quantized tensor, calibration or int8 compilation was
/// refused. Each message names the layer or value and says what was expected.
public enum QuantizationError: Error, Equatable, CustomStringConvertible {
    /// Affine schemes take 1…16 bits (2…16 symmetric: one bit leaves no level besides zero).
    case bitsOutOfRange(Int, mapping: QuantizationScheme.Mapping)
    /// PercentileObserver's percentile must be in (50, 100].
    case percentileOutOfRange(Double)
    /// A quantized tensor's shape whose element or byte count overflows.
    case shapeTooLarge([Int])
    /// Stored parts that do not fit `shape` in `format`: `expected` and `got` count
    /// [codes, scales, zero points].
    case partCountMismatch(shape: [Int], format: QuantizationFormat, expected: [Int], got: [Int])
    /// A scale or zero point the scheme cannot compute with (`problem`, from
    /// `QuantizationScheme.problem(with:)`), held by `owner`.
    case invalidParameters(owner: String, problem: String)
    /// A stored code outside the codes `format` makes.
    case codeOutOfRange(Int32, format: QuantizationFormat, lowest: Int32, highest: Int32)
    /// A binary or ternary α that is not finite and non-negative.
    case invalidScale(Float, format: QuantizationFormat)
    /// Per-channel quantization gives axis 0 one scale per entry, so axis 0 must not be empty.
    case emptyChannelAxis(shape: [Int])
    /// `bytes` packed bytes do not hold `count` codes of `bits` bits (1…16).
    case packedByteCountMismatch(count: Int, bits: Int, bytes: Int)
    /// The model has no layer that quantization can prepare.
    case noQuantizableLayer
    /// The activation quantizer of `layer` has observed no value, so it has no grid yet.
    case notCalibrated(layer: String)
    /// An activation has one scale, so its scheme must be per-tensor.
    case perChannelActivations(QuantizationScheme)
    /// Int8 inference computes with 8-bit rounding activations; `layer`'s are `scheme`.
    case unsupportedActivations(layer: String, scheme: QuantizationScheme)
    /// The int8 engine found no grid for `tensor` (described in words).
    case missingGrid(tensor: String)
    /// The int8 engine's plan holds no grid for graph value `value`.
    case noGridInPlan(value: Int)
    /// ONNX's QuantizeLinear takes uint8 (asymmetric) or int8 (symmetric) zero points only.
    case gridNotExportable(value: Int, scheme: QuantizationScheme, zeroPoint: Int32)

    public var description: String {
        switch self {
        case let .bitsOutOfRange(bits, mapping):
            return "\(mapping) quantization needs \(mapping == .symmetric ? 2 : 1)…16 bits, got \(bits)"
        case let .percentileOutOfRange(percentile):
            return "PercentileObserver: percentile must be in (50, 100], got \(percentile)"
        case let .shapeTooLarge(shape):
            return "quantized tensor: shape \(shape) is too large"
        case let .partCountMismatch(shape, format, expected, got):
            return "quantized tensor: shape \(shape) as \(format) needs \(expected[0]) codes, \(expected[1]) scales and \(expected[2]) zero points; "
                + "got \(got.map(String.init).joined(separator: ", "))"
        case let .invalidParameters(owner, problem):
            return "\(owner): \(problem)"
        case let .codeOutOfRange(code, format, lowest, highest):
            return "\(format): code \(code) is outside \(lowest)…\(highest)"
        case let .invalidScale(scale, format):
            return "\(format): scale \(scale) is not a finite non-negative number"
        case let .emptyChannelAxis(shape):
            return "per-channel quantization needs a tensor with a non-empty axis 0, got shape \(shape)"
        case let .packedByteCountMismatch(count, bits, bytes):
            return "BitPacking.unpack: \(count) codes of \(bits) bits (1…16) do not fit in the \(bytes) bytes given"
        case .noQuantizableLayer:
            return "prepareQuantization: the model has no Quantizable layer (Linear, Conv2d, or a layer adopting Quantizable)"
        case let .notCalibrated(layer):
            return "layer \(layer) has an activation quantizer that has observed no input values; calibrate it (calibrateQuantization) with non-empty batches first"
        case let .perChannelActivations(scheme):
            return "ActivationQuantizer: activations take a per-tensor scheme, got \(scheme)"
        case let .unsupportedActivations(layer, scheme):
            return "Int8InferenceModel: layer \(layer): int8 inference needs 8-bit rounding activations, got \(scheme)"
        case let .missingGrid(tensor):
            return "Int8InferenceModel: \(tensor) has no quantization grid: pass calibration batches, or prepare the layers that read it with 8-bit activations (prepareQuantization) and calibrate them"
        case let .noGridInPlan(value):
            return "ONNX export: value %\(value) has no int8 grid in the engine's plan"
        case let .gridNotExportable(value, scheme, zeroPoint):
            return "ONNX export: the int8 grid of value %\(value) (\(scheme), zero point \(zeroPoint)) does not fit 8-bit QuantizeLinear (uint8 asymmetric or int8 symmetric zero points)"
        }
    }
}
