import Dispatch

/// Batch-1 inference time as Swiftlet deploys a compressed model — evaluation mode, no
/// gradients recorded, float weights (a quantized checkpoint is read back dequantized), and
/// each `SparseConvertible` layer with at least `minimumSparsity` zeros in its sparse form, as
/// `convertToSparse` leaves it — with the kernel threads of the calling thread. It is what a
/// `latency=` budget counts: `CompressionProfile.measure` times every compressible layer alone
/// at each sparsity, and the compressed model is timed whole against the limit.
///
/// On a machine shared with other work a single timing says more about the neighbours than
/// about the model, so each figure is the fastest of `rounds` rounds of `callsPerRound` calls
/// (the round least disturbed), after a warm-up call.
public struct LatencyTimer {
    /// One input with a batch dimension of 1, e.g. a validation image [1, 1, 28, 28]. A real
    /// image rather than noise: the sparse kernels skip zero inputs, as after a ReLU.
    public let example: Tensor
    /// Rounds timed; the fastest counts.
    public var rounds: Int
    /// Calls per round, averaged.
    public var callsPerRound: Int
    /// The least fraction of zero weights at which a layer runs in its sparse form:
    /// `convertToSparse`'s threshold, which a deployment passes too.
    public var minimumSparsity: Double

    public init(example: Tensor, rounds: Int = 100, callsPerRound: Int = 10, minimumSparsity: Double = 0.7) {
        self.example = example
        self.rounds = max(rounds, 1)
        self.callsPerRound = max(callsPerRound, 1)
        self.minimumSparsity = minimumSparsity
    }

    /// Nanoseconds of `model` on `example`, deployed: while it is timed, quantized weights hold
    /// their quantized values without fake quantization, and layers with enough zeros are
    /// swapped for their sparse forms; all is put back afterwards. Throws what
    /// `convertToSparse` throws for a layer that cannot be swapped (a plain `let` property).
    public func latency(of model: Module) throws -> Int {
        try deployed(model) {
            let before = Dictionary(model.namedModules, uniquingKeysWith: { first, _ in first })
            let converted = try convertToSparse(model, minimumSparsity: minimumSparsity)
            defer {
                for path in converted {
                    // The slot took the sparse form a moment ago, so it takes the original back.
                    if let original = before[path] { try? model.replaceSubmodule(at: path, with: original) }
                }
            }
            return try timing(model, on: example)
        }
    }

    /// Nanoseconds of `layer` alone on `input` (what reached it from `example`), in the form a
    /// deployment gives it at its current weights: sparse when `SparseConvertible` and sparse
    /// enough, else as it is, and without fake quantization.
    public func latency(ofLayer layer: Module, input: Tensor) throws -> Int {
        try deployed(layer) {
            try timing(try (layer as? SparseConvertible)?.sparseForm(minimumSparsity: minimumSparsity) ?? layer, on: input)
        }
    }

    /// Runs `body` with `model` as a quantized checkpoint reads back: each quantized weight at
    /// its quantized values and no fake quantization; the quantization settings are restored.
    private func deployed(_ model: Module, _ body: () throws -> Int) throws -> Int {
        try model.withWeightsAsComputed {
            let quantized = model.quantizedLayers.map { ($0.layer, $0.layer.quantization) }
            for (layer, _) in quantized { layer.quantization = nil }
            defer { for (layer, quantization) in quantized { layer.quantization = quantization } }
            return try body()
        }
    }

    private func timing(_ module: Module, on input: Tensor) throws -> Int {
        let wasTraining = module.isTraining
        module.eval()
        defer { if wasTraining { module.train() } }
        return try withNoGrad {
            _ = try module(input)
            var best = UInt64.max
            for _ in 0..<rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<callsPerRound { _ = try module(input) }
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            return Int(best / UInt64(callsPerRound))
        }
    }
}
