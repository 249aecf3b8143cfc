/// Why a quantized checkpoint could not be made from a model, read back, or restored into
/// one. Each message names the layer or stored tensor and says what was expected.
public enum QuantizedCheckpointError: Error, Equatable, CustomStringConvertible {
    /// A `Quantizable` layer (`layer`, of type `type`) whose `quantizableWeight` is not one
    /// of its parameters, so the weight has no name to be stored under.
    case weightNotAParameter(layer: String, type: String)
    /// Weight `weight` is stored quantized but its part `part` (of dtype `dtype`) is missing
    /// or has another dtype.
    case missingPart(weight: String, part: String, dtype: String)
    /// Layer `layer`'s activation scheme (metadata `key`) needs an affine scheme and its
    /// stored `input_scale` (F32 [1]) and `input_zero_point` (I32 [1]).
    case missingActivationParameters(key: String, layer: String)
    /// The format description `text` of `name` in the metadata cannot be read (`problem`).
    case malformedDescription(name: String, text: String, problem: String)
    /// `bytes` bytes are not a whole number of `size`-byte `type` values.
    case partialValues(bytes: Int, size: Int, type: String)
    /// A stored tensor whose bytes do not hold its dtype and shape.
    case byteCountMismatch(tensor: String, bytes: Int, dtype: String, shape: [Int])
    /// The checkpoint quantizes `weight`, but no `Quantizable` layer of the model owns it.
    case strayWeight(String)
    /// A weight stored in the relative (sparse) layout whose entries do not fit it: an entry
    /// at `position` of a tensor of `count` elements, or (position nil) a format with no zero code.
    case sparseEntryOutOfRange(position: Int?, count: Int)

    public var description: String {
        switch self {
        case let .weightNotAParameter(layer, type):
            return "quantized checkpoint: layer \(layer) (\(type)): its quantizableWeight is not one of its parameters"
        case let .missingPart(weight, part, dtype):
            return "quantized checkpoint: \(weight) needs a \(dtype) tensor named \(part)"
        case let .missingActivationParameters(key, layer):
            return "quantized checkpoint: activation \(key) needs an affine scheme and tensors \(layer).input_scale (F32 [1]) and \(layer).input_zero_point (I32 [1])"
        case let .malformedDescription(name, text, problem):
            return "quantized checkpoint: metadata of \(name) (\"\(text)\"): \(problem)"
        case let .partialValues(bytes, size, type):
            return "quantized checkpoint: \(bytes) bytes are not a whole number of \(size)-byte \(type) values"
        case let .byteCountMismatch(tensor, bytes, dtype, shape):
            return "quantized checkpoint: \(tensor): \(bytes) bytes do not hold a \(dtype) tensor of shape \(shape)"
        case let .strayWeight(name):
            return "quantized checkpoint: quantized tensor \(name) belongs to no Quantizable layer of the model"
        case let .sparseEntryOutOfRange(position?, count):
            return "quantized checkpoint: a sparse entry at position \(position) of a tensor of \(count) elements"
        case let .sparseEntryOutOfRange(nil, count):
            return "quantized checkpoint: a sparse layout of \(count) elements in a format with no code for 0.0"
        }
    }
}
