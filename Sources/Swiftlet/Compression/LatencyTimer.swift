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
/// (the round least disturbed), after a warm-up call; and where the sparse forms' arrays land
/// in memory moves a batch-1 time by up to a third (2.7–4.0 µs for one 90 %-sparse 784×300
/// layer converted sixteen times on a Zen 4), so each figure is the fastest of `conversions`
/// fresh deployments.
public struct LatencyTimer {
    /// One input with a batch dimension of 1, e.g. a validation image [1, 1, 28, 28]. A real
    /// image rather than noise: the sparse kernels skip zero inputs, as after a ReLU.
    public let example: Tensor
    /// Rounds timed; the fastest counts.
    public let rounds: Int
    /// Calls per round, averaged.
    public let callsPerRound: Int
    /// Deployments timed, each converting the model anew; the fastest counts.
    public let conversions: Int
    /// The least fraction of zero weights at which a layer runs in its sparse form:
    /// `convertToSparse`'s threshold, which a deployment passes too.
    public let minimumSparsity: Double

    /// A timer of `example`'s batch-1 time; counts below 1 are taken as 1.
    public init(example: Tensor, rounds: Int = 100, callsPerRound: Int = 10, conversions: Int = 3, minimumSparsity: Double = 0.7) {
        self.example = example
        self.rounds = max(rounds, 1)
        self.callsPerRound = max(callsPerRound, 1)
        self.conversions = max(conversions, 1)
        self.minimumSparsity = minimumSparsity
    }

    /// Nanoseconds of `model` on `example`, deployed: while it is timed, quantized weights hold
    /// their quantized values without fake quantization, and layers with enough zeros are
    /// swapped for their sparse forms; all is put back afterwards. Throws what
    /// `convertToSparse` throws for a layer that cannot be swapped (a plain `let` property).
    public func latency(of model: Module) throws -> Int {
        try latencies(of: [model])[0]
    }

    /// Nanoseconds of each of `models` on `example`, deployed as `latency(of:)` does, timed in
    /// turns — a round of each, then again — so that all are measured under the same load.
    /// Compare a compressed model with the original this way: a shared machine's speed drifts
    /// by a quarter over seconds, which times taken one after the other would read as the
    /// models' difference.
    public func latencies(of models: [Module]) throws -> [Int] {
        var best = [Int](repeating: .max, count: models.count)
        for _ in 0..<conversions {
            let times = try deploying(models[...]) { try inTurns(models.map { ($0, example) }) }
            best = zip(best, times).map { min($0, $1) }
        }
        return best
    }

    /// The module a deployment runs in place of `layer` at its current weights: its sparse
    /// form when it is `SparseConvertible` and sparse enough, else the layer itself.
    func deployedForm(of layer: Module) throws -> Module {
        try (layer as? SparseConvertible)?.sparseForm(minimumSparsity: minimumSparsity) ?? layer
    }

    /// Nanoseconds of each of `forms` on `input` (what reached their layer from `example`),
    /// and of `model` on `example`, in turns; the forms without fake quantization. One
    /// deployment: the caller builds fresh forms `conversions` times.
    func latencies(of forms: [Module], on input: Tensor, beside model: Module) throws -> (forms: [Int], model: Int) {
        let times = try deploying([model] + forms) { try inTurns([(model, example)] + forms.map { ($0, input) }) }
        return (Array(times.dropFirst()), times[0])
    }

    /// Runs `body` with each of `models` as a quantized checkpoint reads back — each quantized
    /// weight at its quantized values, no fake quantization — and its sparse enough layers in
    /// their sparse forms; all is put back afterwards.
    private func deploying<Result>(_ models: ArraySlice<Module>, _ body: () throws -> Result) throws -> Result {
        guard let model = models.first else { return try body() }
        return try model.withWeightsAsComputed {
            let quantized = model.quantizedLayers.map { ($0.layer, $0.layer.quantization) }
            for (layer, _) in quantized { layer.quantization = nil }
            defer { for (layer, quantization) in quantized { layer.quantization = quantization } }
            let before = Dictionary(model.namedModules, uniquingKeysWith: { first, _ in first })
            let converted = try convertToSparse(model, minimumSparsity: minimumSparsity)
            defer {
                for path in converted {
                    // The slot took the sparse form a moment ago, so it takes the original back.
                    if let original = before[path] { try? model.replaceSubmodule(at: path, with: original) }
                }
            }
            return try deploying(models.dropFirst(), body)
        }
    }

    /// Each run's nanoseconds per call: `rounds` rounds of `callsPerRound` calls of every run
    /// in turn, after a warm-up call each; each run keeps its fastest round.
    private func inTurns(_ runs: [(module: Module, input: Tensor)]) throws -> [Int] {
        let modes = runs.map { $0.module.isTraining }
        for (module, _) in runs { module.eval() }
        defer { for ((module, _), wasTraining) in zip(runs, modes) where wasTraining { module.train() } }
        return try withNoGrad {
            for (module, input) in runs { _ = try module(input) }
            var best = [UInt64](repeating: .max, count: runs.count)
            for _ in 0..<rounds {
                for (index, (module, input)) in runs.enumerated() {
                    let start = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<callsPerRound { _ = try module(input) }
                    best[index] = min(best[index], DispatchTime.now().uptimeNanoseconds - start)
                }
            }
            return best.map { Int($0 / UInt64(callsPerRound)) }
        }
    }
}
