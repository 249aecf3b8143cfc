import Foundation

// A quantized checkpoint on disk is a safetensors file holding exactly the stored tensors
// (packed codes, scales, zero points, float biases). The format descriptions go into the
// header metadata under "quantized:<name>", beside any other metadata, so a reader can
// tell a quantized checkpoint from a float one.

extension QuantizedCheckpoint {
    /// The metadata key prefix of format descriptions in the file.
    public static let metadataPrefix = "quantized:"

    /// Whether `file` holds a quantized checkpoint (rather than float weights).
    public static func isQuantized(_ file: SafeTensorsFile) -> Bool {
        file.metadata.keys.contains { $0.hasPrefix(metadataPrefix) }
    }

    /// The safetensors form, with `extra` metadata (experiment, stage, …) beside the formats.
    public func safeTensorsFile(metadata extra: [String: String] = [:]) throws -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: extra)
        for (key, value) in metadata { file.metadata[Self.metadataPrefix + key] = value }
        for stored in tensors {
            guard let dtype = SafeTensorsDType(rawValue: stored.dtype),
                  stored.shape.reduce(1, *) * dtype.byteCount == stored.bytes.count else {
                throw QuantizedCheckpointError.byteCountMismatch(tensor: stored.name, bytes: stored.bytes.count, dtype: stored.dtype, shape: stored.shape)
            }
            file.tensors[stored.name] = SafeTensorsRecord(dtype: dtype, shape: stored.shape, bytes: stored.bytes)
        }
        return file
    }

    /// Writes the checkpoint to `url` atomically.
    public func write(to url: URL, metadata extra: [String: String] = [:]) throws {
        try safeTensorsFile(metadata: extra).write(to: url)
    }

    /// The checkpoint stored in `file`; throws if it has no quantization metadata.
    public init(file: SafeTensorsFile) throws {
        guard Self.isQuantized(file) else {
            throw SafeTensorsError(file: file.source, reason: .malformedHeader("no \"\(Self.metadataPrefix)…\" metadata: not a quantized checkpoint"))
        }
        var metadata: [String: String] = [:]
        for (key, value) in file.metadata where key.hasPrefix(Self.metadataPrefix) {
            metadata[String(key.dropFirst(Self.metadataPrefix.count))] = value
        }
        let tensors = file.tensors.keys.sorted().map { name in
            let record = file.tensors[name]!  // iterating its own keys
            return StoredTensor(name: name, dtype: record.dtype.rawValue, shape: record.shape, bytes: record.bytes)
        }
        self.init(tensors: tensors, metadata: metadata)
        source = file.source
    }

    /// Loads the checkpoint into `model`, a fresh float instance of its architecture (layers
    /// pruned structurally or decomposed are rebuilt as `loadPrunedStateDict` does): the
    /// dequantized weights and float tensors go into the state dict, and every `Quantizable`
    /// layer whose weight was stored quantized computes with the stored format and, where
    /// stored, a frozen input quantizer — ready for evaluation or `Int8InferenceModel`.
    /// Errors name the tensor that does not fit; NaN and infinity are refused unless `allowNonFinite`.
    @discardableResult
    public func restore(into model: Module, allowNonFinite: Bool = false) throws -> [(name: String, layer: Quantizable)] {
        try model.loadPrunedStateDict(try dequantizedStateDict(allowNonFinite: allowNonFinite))
        let formats = try quantizedTensors().mapValues(\.format)
        let activations = try activationQuantization()
        var restoredWeights: Set<String> = []
        let restored = try setQuantization(model) { path in
            guard let layer = model.submodule(at: path) as? Quantizable, let weightName = layer.quantizableWeightName else { return nil }
            let name = path.isEmpty ? weightName : "\(path).\(weightName)"
            guard let format = formats[name] else { return nil }
            restoredWeights.insert(name)
            return LayerQuantization(weightFormat: format,
                                     inputQuantizer: try activations[path].map { try ActivationQuantizer(scheme: $0.scheme, frozen: $0.parameters) })
        }
        if let stray = formats.keys.sorted().first(where: { !restoredWeights.contains($0) }) {
            throw QuantizedCheckpointError.strayWeight(stray)
        }
        return restored
    }
}
