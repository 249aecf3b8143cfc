import Foundation
import SwiftletKernels

/// One stored tensor: a name, a safetensors dtype ("U8", "U16", "I32", "F16", "F32"),
/// a shape and its raw little-endian bytes — what a safetensors writer takes per entry.
public struct StoredTensor: Equatable {
    /// The safetensors key, e.g. `fc1.weight.codes`.
    public let name: String
    /// The safetensors dtype string.
    public let dtype: String
    /// The stored shape, outermost first.
    public let shape: [Int]
    /// The data, little-endian.
    public let bytes: [UInt8]

    /// One entry as it will be written.
    public init(name: String, dtype: String, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }
}

/// A quantized model as it is stored: for each quantized weight `W` (say `fc1.weight`)
///
/// - `W.codes`: U8 [bytes], the codes minus the scheme's lowest code, bit-packed
///   (`BitPacking`) at the format's width — 1 bit binary, 2 bits ternary, b bits affine;
///   float16 weights are stored instead as `W`: F16 with the tensor's shape; in the sparse
///   layout (`SparseCodeLayout.relative`) `W.codes` holds only the entries' codes and `W.gaps`
///   their relative indices;
/// - `W.scale`: F32 [1 or channels] (α for binary/ternary);
/// - `W.zero_point`: U8 (≤ 8 bits) or U16 [1 or channels], asymmetric schemes only
///   (symmetric zero points are all 0 and are not stored);
///
/// every other parameter or buffer (biases) as F32 under its own name, and for each layer
/// `L` with an activation quantizer `L.input_scale` (F32 [1]) and `L.input_zero_point`
/// (I32 [1]). `metadata` maps `W` to its format and shape (see `storageDescription`), and
/// `L.input` to the activation scheme (an affine description with an empty shape).
/// `byteCount` is the sum of the stored tensor bytes: what "size" means in reports.
public struct QuantizedCheckpoint {
    /// Every stored tensor: codes, scales, zero points and float tensors.
    public let tensors: [StoredTensor]
    /// The `__metadata__` entries: each quantized weight's format and shape, each activation scheme.
    public let metadata: [String: String]
    /// Where the checkpoint was read from (a path), named in errors.
    public var source = "in-memory quantized checkpoint"

    /// Tensor bytes actually stored (codes, scales, zero points, float tensors); the
    /// container's header is not counted.
    public var byteCount: Int { tensors.reduce(0) { $0 + $1.bytes.count } }

    /// A checkpoint of `tensors` described by `metadata`, laid out as above.
    public init(tensors: [StoredTensor], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The stored form of a model prepared by `prepareQuantization` (and trained or
    /// calibrated): each quantized layer's weight in its format, the rest in F32. Throws
    /// `NonFiniteWeightsError` if any parameter or buffer holds a NaN or an infinity.
    /// With `sparseCodes`, each weight's codes are stored in the smallest `SparseCodeLayout`
    /// (only the codes that are not 0.0, at relative indices, when that is smaller).
    public init(model: Module, sparseCodes: Bool = false) throws {
        try model.requireFiniteState()
        var quantizedWeights: [String: QuantizationFormat] = [:]
        var activationParameters: [(String, QuantizationScheme, AffineParameters)] = []
        for (name, layer) in model.quantizedLayers {
            guard let quantization = layer.quantization, let weightName = layer.quantizableWeightName else {
                throw QuantizedCheckpointError.weightNotAParameter(layer: name, type: "\(type(of: layer))")
            }
            quantizedWeights[name.isEmpty ? weightName : "\(name).\(weightName)"] = quantization.weightFormat
            if let quantizer = quantization.inputQuantizer {
                guard let parameters = quantizer.parameters else {
                    throw QuantizationError.notCalibrated(layer: name)
                }
                activationParameters.append((name, quantizer.scheme, parameters))
            }
        }
        var tensors: [StoredTensor] = [], metadata: [String: String] = [:]
        for (name, tensor) in model.stateDict {
            guard let format = quantizedWeights[name] else {
                tensors.append(StoredTensor(name: name, dtype: "F32", shape: tensor.shape, bytes: littleEndianBytes(tensor.scalars)))
                continue
            }
            let quantized = try QuantizedTensor(quantizing: tensor, as: format)
            let (parts, layout) = try storedParts(of: quantized, named: name, sparse: sparseCodes)
            tensors += parts
            metadata[name] = storageDescription(format, shape: tensor.shape, layout: layout)
        }
        for (name, scheme, parameters) in activationParameters {
            metadata[name + Self.activationSuffix] = storageDescription(.affine(scheme), shape: [])
            tensors.append(StoredTensor(name: "\(name).input_scale", dtype: "F32", shape: [1], bytes: littleEndianBytes([parameters.scale])))
            tensors.append(StoredTensor(name: "\(name).input_zero_point", dtype: "I32", shape: [1], bytes: littleEndianBytes([parameters.zeroPoint])))
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// The metadata key suffix of a layer's activation scheme: `fc1.input`.
    public static let activationSuffix = ".input"

    /// The activation scheme and calibrated parameters of each layer that has them, by layer name.
    /// Throws if a stored scale or zero point is not one the scheme can compute with.
    public func activationQuantization() throws -> [String: (scheme: QuantizationScheme, parameters: AffineParameters)] {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [String: (scheme: QuantizationScheme, parameters: AffineParameters)] = [:]
        for (key, description) in metadata where key.hasSuffix(Self.activationSuffix) {
            let layer = String(key.dropLast(Self.activationSuffix.count))
            guard case let (.affine(scheme), _) = try parseStorageDescription(description, name: key),
                  let scale = byName[layer + ".input_scale"], scale.dtype == "F32", scale.bytes.count == 4,
                  let zeroPoint = byName[layer + ".input_zero_point"], zeroPoint.dtype == "I32", zeroPoint.bytes.count == 4,
                  let s = try fromLittleEndian(scale.bytes, as: Float.self).first,
                  let z = try fromLittleEndian(zeroPoint.bytes, as: Int32.self).first else {
                throw QuantizedCheckpointError.missingActivationParameters(key: key, layer: layer)
            }
            let parameters = AffineParameters(scale: s, zeroPoint: z)
            if let problem = scheme.problem(with: parameters) {
                let tensor = problem.hasPrefix("scale") ? scale.name : zeroPoint.name
                throw SafeTensorsError(file: source, reason: .invalidValue(tensor: tensor, "input \(problem)"))
            }
            result[layer] = (scheme, parameters)
        }
        return result
    }

    /// The quantized weights, decoded from their stored parts.
    public func quantizedTensors() throws -> [String: QuantizedTensor] {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [String: QuantizedTensor] = [:]
        for (name, description) in metadata where !name.hasSuffix(Self.activationSuffix) {
            func part(_ suffix: String, dtype: String) throws -> StoredTensor {
                guard let stored = byName[name + suffix], stored.dtype == dtype else {
                    throw QuantizedCheckpointError.missingPart(weight: name, part: name + suffix, dtype: dtype)
                }
                return stored
            }
            do {
                let (format, shape) = try parseStorageDescription(description, name: name)
                let layout = try parseCodeLayout(description, name: name)
                result[name] = try quantizedTensor(format: format, shape: shape, layout: layout, part: part)
            } catch where error is QuantizationError || error is QuantizedCheckpointError {
                // Values no quantizer makes: name the file and the tensor.
                throw SafeTensorsError(file: source, reason: .invalidValue(tensor: name, "\(error)"))
            }
        }
        return result
    }

    /// One quantized weight from its stored parts (`part(suffix, dtype)`).
    private func quantizedTensor(format: QuantizationFormat, shape: [Int], layout: SparseCodeLayout,
                                 part: (String, String) throws -> StoredTensor) throws -> QuantizedTensor {
        if format == .float16, layout == .dense {
            let codes = try fromLittleEndian(try part("", "F16").bytes, as: UInt16.self).map { Int32($0) }
            return try QuantizedTensor(shape: shape, format: format, codes: codes, scales: [], zeroPoints: [])
        }
        let scales = format == .float16 ? [] : try fromLittleEndian(try part(".scale", "F32").bytes, as: Float.self)
        var zeroPoints: [Int32] = []
        if case let .affine(scheme) = format {
            if scheme.mapping == .asymmetric {
                zeroPoints = scheme.bits <= 8 ? try part(".zero_point", "U8").bytes.map { Int32($0) }
                                              : try fromLittleEndian(try part(".zero_point", "U16").bytes, as: UInt16.self).map { Int32($0) }
            } else {
                zeroPoints = [Int32](repeating: 0, count: scales.count)
            }
        }
        let codes: [Int32]
        switch layout {
        case .dense:
            codes = try BitPacking.unpack(try part(".codes", "U8").bytes, bits: format.bitsPerCode, count: shape.elementCount)
                .map { Int32($0) + format.lowestCode }
        case let .relative(indexBits, entries):
            let gaps = try BitPacking.unpack(try part(".gaps", "U8").bytes, bits: indexBits, count: entries)
            let entryCodes = try BitPacking.unpack(try part(".codes", "U8").bytes, bits: format.bitsPerCode, count: entries)
            codes = try scatterRelative(gaps: gaps, codes: entryCodes.map { Int32($0) + format.lowestCode }, count: shape.elementCount,
                                        format: format, zeroPoints: zeroPoints)
        }
        return try QuantizedTensor(shape: shape, format: format, codes: codes, scales: scales, zeroPoints: zeroPoints)
    }

    /// The full codes of a relative layout: each element the zero code of its channel, the
    /// entries' codes at the positions their gaps lead to.
    private func scatterRelative(gaps: [UInt32], codes entryCodes: [Int32], count: Int,
                                 format: QuantizationFormat, zeroPoints: [Int32]) throws -> [Int32] {
        let channels = max(zeroPoints.count, 1)
        var codes: [Int32] = []
        codes.reserveCapacity(count)
        for channel in 0..<channels {
            guard let zero = format.exactZeroCode(zeroPoint: zeroPoints.isEmpty ? 0 : zeroPoints[channel]) else {
                throw QuantizedCheckpointError.sparseEntryOutOfRange(position: nil, count: count)
            }
            codes += repeatElement(zero, count: count / channels)
        }
        var position = -1
        for (gap, code) in zip(gaps, entryCodes) {
            position += Int(gap) + 1
            guard position < codes.count else { throw QuantizedCheckpointError.sparseEntryOutOfRange(position: position, count: count) }
            codes[position] = code
        }
        return codes
    }

    /// Float values for every parameter and buffer (quantized weights dequantized), ready
    /// for `Module.loadStateDict` on the float architecture; NaN and infinity (a float16
    /// weight, a bias) are refused unless `allowNonFinite`.
    public func dequantizedStateDict(allowNonFinite: Bool = false) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        let scaleNames = Set(metadata.keys.map { $0 + ".scale" })
        for stored in tensors where stored.dtype == "F32" && !scaleNames.contains(stored.name) && !stored.name.hasSuffix(".input_scale") {
            result[stored.name] = try Tensor(try fromLittleEndian(stored.bytes, as: Float.self), shape: stored.shape)
        }
        for (name, quantized) in try quantizedTensors() { result[name] = quantized.dequantized() }
        if !allowNonFinite {
            for (name, tensor) in result.sorted(by: { $0.key < $1.key }) { try requireFinite(tensor.scalars, tensor: name, file: source) }
        }
        return result
    }
}

/// The stored parts of one quantized weight in the smallest `SparseCodeLayout`, and that layout.
private func storedParts(of quantized: QuantizedTensor, named name: String, sparse: Bool) throws -> (parts: [StoredTensor], layout: SparseCodeLayout) {
    let format = quantized.format
    let positions = quantized.nonzeroCodePositions()
    let layout = sparse ? SparseCodeLayout.smallest(positions: positions, count: quantized.codes.count, bits: format.bitsPerCode).layout : .dense
    if format == .float16, layout == .dense {
        return ([StoredTensor(name: name, dtype: "F16", shape: quantized.shape,
                              bytes: littleEndianBytes(quantized.codes.map { UInt16(truncatingIfNeeded: $0) }))], layout)
    }
    let lowest = format.lowestCode
    var parts: [StoredTensor]
    switch layout {
    case .dense:
        parts = [packedCodes(quantized.codes.map { UInt32($0 - lowest) }, bits: format.bitsPerCode, name: "\(name).codes")]
    case let .relative(indexBits, _):
        // Each entry holds the code at the position its gap leads to: a filler's is the zero code.
        let indices = try RelativeIndices(positions: positions, indexBits: indexBits)
        var position = -1
        let entryCodes = indices.gaps.map { gap -> UInt32 in
            position += gap + 1
            return UInt32(quantized.codes[position] - lowest)
        }
        parts = [packedCodes(indices.gaps.map { UInt32($0) }, bits: indexBits, name: "\(name).gaps"),
                 packedCodes(entryCodes, bits: format.bitsPerCode, name: "\(name).codes")]
    }
    if format != .float16 {
        parts.append(StoredTensor(name: "\(name).scale", dtype: "F32", shape: [quantized.scales.count], bytes: littleEndianBytes(quantized.scales)))
    }
    if case let .affine(scheme) = format, scheme.mapping == .asymmetric {
        let zeroPoints = quantized.zeroPoints
        parts.append(scheme.bits <= 8
            ? StoredTensor(name: "\(name).zero_point", dtype: "U8", shape: [zeroPoints.count], bytes: zeroPoints.map { UInt8(truncatingIfNeeded: $0) })
            : StoredTensor(name: "\(name).zero_point", dtype: "U16", shape: [zeroPoints.count], bytes: littleEndianBytes(zeroPoints.map { UInt16(truncatingIfNeeded: $0) })))
    }
    return (parts, layout)
}

private func packedCodes(_ values: [UInt32], bits: Int, name: String) -> StoredTensor {
    let packed = BitPacking.pack(values, bits: bits)
    return StoredTensor(name: name, dtype: "U8", shape: [packed.count], bytes: packed)
}

extension QuantizationFormat {
    /// The smallest code, subtracted before packing so stored values are unsigned.
    var lowestCode: Int32 {
        if case let .affine(scheme) = self { return scheme.codeRange.lowerBound }
        return 0
    }
}

/// "affine bits=4 mapping=symmetric rounding=nearest granularity=perChannel shape=50,320",
/// "binary granularity=perTensor shape=…", "ternary …", "float16 shape=…".
func storageDescription(_ format: QuantizationFormat, shape: [Int], layout: SparseCodeLayout = .dense) -> String {
    var shapeField = "shape=" + shape.map(String.init).joined(separator: ",")
    if case let .relative(indexBits, entries) = layout { shapeField += " index_bits=\(indexBits) entries=\(entries)" }
    switch format {
    case let .affine(s):
        return "affine bits=\(s.bits) mapping=\(s.mapping.rawValue) rounding=\(s.rounding.rawValue) granularity=\(s.granularity.rawValue) \(shapeField)"
    case let .binary(granularity): return "binary granularity=\(granularity.rawValue) \(shapeField)"
    case let .ternary(granularity): return "ternary granularity=\(granularity.rawValue) \(shapeField)"
    case .float16: return "float16 \(shapeField)"
    }
}

/// The `key=value` fields of a format description (the words after the format's name).
private func descriptionFields(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for word in text.split(separator: " ").dropFirst() {
        let pair = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if pair.count == 2 { fields[pair[0]] = pair[1] }
    }
    return fields
}

/// The code layout a description names: relative with `index_bits=` and `entries=`, else dense.
func parseCodeLayout(_ text: String, name: String) throws -> SparseCodeLayout {
    let fields = descriptionFields(text)
    guard fields["index_bits"] != nil || fields["entries"] != nil else { return .dense }
    guard let indexBits = fields["index_bits"].flatMap(Int.init), (1...SparseCodeLayout.maximumIndexBits).contains(indexBits),
          let entries = fields["entries"].flatMap(Int.init), entries >= 0, entries <= Int.max / 16 else {
        throw QuantizedCheckpointError.malformedDescription(name: name, text: text,
                                                            problem: "a sparse layout needs index_bits=1…\(SparseCodeLayout.maximumIndexBits) and entries= a count")
    }
    return .relative(indexBits: indexBits, entries: entries)
}

func parseStorageDescription(_ text: String, name: String) throws -> (QuantizationFormat, [Int]) {
    let words = text.split(separator: " ").map(String.init)
    let fields = descriptionFields(text)
    func bad(_ problem: String) -> QuantizedCheckpointError {
        .malformedDescription(name: name, text: text, problem: problem)
    }
    guard let shapeText = fields["shape"] else { throw bad("no shape=") }
    let shape = shapeText.isEmpty ? [] : try shapeText.split(separator: ",").map { part -> Int in
        guard let n = Int(part), n >= 0 else { throw bad("bad dimension \(part)") }
        return n
    }
    guard ShapeArithmetic.byteCount(of: shape) != nil else { throw bad("shape \(shape) is too large") }
    let granularity = try fields["granularity"].map { value -> QuantizationScheme.Granularity in
        guard let g = QuantizationScheme.Granularity(rawValue: value) else { throw bad("unknown granularity \(value)") }
        return g
    } ?? .perTensor
    switch words.first {
    case "affine":
        guard let bits = fields["bits"].flatMap(Int.init),
              let mapping = fields["mapping"].flatMap(QuantizationScheme.Mapping.init(rawValue:)),
              let rounding = fields["rounding"].flatMap(QuantizationScheme.Rounding.init(rawValue:)) else {
            throw bad("affine needs bits=, mapping= and rounding=")
        }
        return (.affine(try QuantizationScheme(bits: bits, mapping: mapping, rounding: rounding, granularity: granularity)), shape)
    case "binary": return (.binary(granularity), shape)
    case "ternary": return (.ternary(granularity), shape)
    case "float16": return (.float16, shape)
    default: throw bad("unknown format \(words.first ?? "")")
    }
}

/// The raw little-endian bytes of fixed-width values.
func littleEndianBytes<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
    // x86-64 and arm64 are little-endian, so the memory image is the stored form.
    values.withUnsafeBytes { Array($0) }
}

/// Values from raw little-endian bytes; throws if the byte count is not a multiple.
func fromLittleEndian<T: BitwiseCopyable>(_ bytes: [UInt8], as type: T.Type) throws -> [T] {
    let size = MemoryLayout<T>.size
    guard bytes.count % size == 0 else {
        throw QuantizedCheckpointError.partialValues(bytes: bytes.count, size: size, type: "\(T.self)")
    }
    return [T](unsafeUninitializedCapacity: bytes.count / size) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
        }
        initialized = bytes.count / size
    }
}
