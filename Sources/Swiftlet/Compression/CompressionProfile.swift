/// One setting of one layer as automatic compression sees it: what it costs and what
/// `evaluate()` gives with this layer alone compressed so.
public struct LayerOption: Sendable {
    /// The sparsity and width tried.
    public let setting: CompressionSetting
    /// Bytes the weight takes stored (codes, relative indices, scale), counting every kept
    /// position as an entry: the stored form never takes more (kept weights that round to
    /// 0.0 are left out of it).
    public let bytes: Int
    /// FLOPs per image of the layer's multiply-accumulates with a non-zero weight.
    public let flops: Int
    /// Nanoseconds of the layer alone at batch 1 in its deployed form at this sparsity
    /// (`LatencyTimer`), or 0 when the profile was measured without a timer.
    public let nanoseconds: Int
    /// `evaluate()` with this layer pruned and quantized so, every other layer intact.
    public let metric: Double
}

/// The options of one compressible layer.
public struct LayerProfile: Sendable {
    /// The layer's dotted path, e.g. `"conv1"`.
    public let path: String
    /// Its weight's state-dict name, e.g. `"conv1.weight"`.
    public let weightName: String
    /// Elements of the weight.
    public let elements: Int
    /// One per setting tried, in the order given.
    public let options: [LayerOption]
}

/// Per-layer sensitivity and cost of a model for automatic compression: for every
/// `Quantizable` layer whose weight is prunable, each setting of a grid applied to that layer
/// alone (magnitude pruning, then fake quantization), with the bytes it stores and the FLOPs
/// it costs; and what the rest of the model costs regardless.
///
/// Layers are found through the module tree and the capability protocols (`Quantizable`,
/// `PrunableWeights` / `prunableParameters`); costs through the stored form
/// (`SparseCodeLayout`, `QuantizationFormat.parameterBytes`) and the traced graph
/// (`traceLayers`, which honours `CountsMACs`) — never a layer's class. With a `LatencyTimer`
/// it also times each layer at each sparsity, for `latency=` budgets; bit widths do not change
/// the time, as a deployment computes with the dequantized float weights.
public struct CompressionProfile: Sendable {
    /// `evaluate()` of the model as given.
    public let baseline: Double
    /// The compressible layers, in tree order.
    public let layers: [LayerProfile]
    /// Bytes of every other stored tensor (biases, buffers, weights of other layers: F32).
    public let fixedBytes: Int
    /// Non-zero-weight FLOPs per image of every op outside the compressible layers' weights.
    public let fixedFLOPs: Int
    /// Bytes of the float checkpoint's tensors: 4 per state-dict value. `size=` budgets divide it.
    public let referenceBytes: Int
    /// Dense FLOPs per image. `flops=` budgets divide it.
    public let referenceFLOPs: Int
    /// Batch-1 nanoseconds of the rest of the model: the whole model's time less each
    /// compressible layer's time alone (at least 0). 0 when measured without a timer.
    public let fixedNanoseconds: Int
    /// Batch-1 nanoseconds of the model as given, deployed; 0 when measured without a timer,
    /// which is how `latency=` budgets tell that the profile cannot serve them.
    public let referenceNanoseconds: Int

    /// Plain data, for tests and tools that have a table already.
    public init(baseline: Double, layers: [LayerProfile], fixedBytes: Int, fixedFLOPs: Int, referenceBytes: Int, referenceFLOPs: Int,
                fixedNanoseconds: Int = 0, referenceNanoseconds: Int = 0) {
        self.baseline = baseline
        self.layers = layers
        self.fixedBytes = fixedBytes
        self.fixedFLOPs = fixedFLOPs
        self.referenceBytes = referenceBytes
        self.referenceFLOPs = referenceFLOPs
        self.fixedNanoseconds = fixedNanoseconds
        self.referenceNanoseconds = referenceNanoseconds
    }

    /// Measures `model` (left as it was) for every setting of `grid` on every compressible
    /// layer: `evaluate()` once per layer and setting, plus once for the baseline; with a
    /// `timer`, also the deployed model's batch-1 time and each layer's alone at each sparsity
    /// of the grid. `progress(done, total)` is called after each evaluation.
    public static func measure(
        _ model: Module, inputShape: [Int], grid: [CompressionSetting], timer: LatencyTimer? = nil,
        progress: ((Int, Int) -> Void)? = nil, evaluate: () throws -> Double
    ) throws -> CompressionProfile {
        guard !grid.isEmpty else { throw AutoCompressionError.noSettings }
        let candidates = compressibleLayers(of: model)
        guard !candidates.isEmpty else { throw AutoCompressionError.noCompressibleLayer }
        let baseline = try evaluate()
        let baseFLOPs = try nonzeroFLOPs(of: model, inputShape: inputShape)
        let layerInputs = try timer.map { try model.inputs(tracing: $0.example, ofModulesAt: candidates.map(\.path)) } ?? [:]
        let referenceNanoseconds = try timer?.latency(of: model) ?? 0
        let total = candidates.count * grid.count
        var done = 0
        var layers: [LayerProfile] = []
        var currentLayerFLOPs = 0, currentLayerNanoseconds = 0
        for (path, weightName, layer) in candidates {
            let weight = layer.quantizableWeight
            let saved = weight.scalars, savedQuantization = layer.quantization
            defer {
                weight.scalars = saved
                layer.quantization = savedQuantization
            }
            var nanosecondsAtSparsity: [Float: Int] = [:]
            if let timer {
                guard let input = layerInputs[path] else { throw AutoCompressionError.layerNotCalled(path) }
                let times = try layerTimes(model, layer: layer, weightName: weightName, sparsities: grid.map(\.sparsity),
                                           timer: timer, input: input, reference: referenceNanoseconds)
                currentLayerNanoseconds += times.dense
                nanosecondsAtSparsity = times.atSparsity
            }
            weight.scalars = [Float](repeating: 0, count: saved.count)
            let withoutLayer = try nonzeroFLOPs(of: model, inputShape: inputShape)
            currentLayerFLOPs += baseFLOPs - withoutLayer
            var flopsAtSparsity: [Float: Int] = [:]
            let options = try grid.map { setting -> LayerOption in
                weight.scalars = saved
                layer.quantization = savedQuantization
                let mask = try pruneByMagnitude(model, .sparsity(setting.sparsity), select: { name, _ in name == weightName }).entries[0].mask
                if flopsAtSparsity[setting.sparsity] == nil {
                    flopsAtSparsity[setting.sparsity] = try nonzeroFLOPs(of: model, inputShape: inputShape) - withoutLayer
                }
                layer.quantization = LayerQuantization(weightFormat: setting.weightFormat)
                let metric = try evaluate()
                done += 1
                progress?(done, total)
                return LayerOption(setting: setting, bytes: storedBytes(mask: mask, shape: weight.shape, format: setting.weightFormat),
                                   flops: flopsAtSparsity[setting.sparsity] ?? 0, nanoseconds: nanosecondsAtSparsity[setting.sparsity] ?? 0,
                                   metric: metric)
            }
            layers.append(LayerProfile(path: path, weightName: weightName, elements: saved.count, options: options))
        }
        let compressed = Set(candidates.map(\.weightName))
        let state = model.stateDict
        return CompressionProfile(
            baseline: baseline, layers: layers,
            fixedBytes: state.filter { !compressed.contains($0.name) }.reduce(0) { $0 + 4 * $1.tensor.count },
            fixedFLOPs: baseFLOPs - currentLayerFLOPs,
            referenceBytes: state.reduce(0) { $0 + 4 * $1.tensor.count },
            referenceFLOPs: try ModelFootprint(of: model, inputShape: inputShape).flops,
            fixedNanoseconds: max(referenceNanoseconds - currentLayerNanoseconds, 0), referenceNanoseconds: referenceNanoseconds)
    }

    /// `layer`'s time alone, deployed, dense and at each of `sparsities` (its weight as it was
    /// afterwards): every form timed in turns with the whole `model`, and scaled by the model's
    /// time then against `reference`, its time at the start — so that a machine that speeds
    /// up or slows down between one layer's timing and the next (a shared one drifts by a
    /// quarter over seconds) does not make one layer look dearer than another. The fastest of
    /// `timer.conversions` sets of freshly built forms.
    private static func layerTimes(_ model: Module, layer: Quantizable, weightName: String, sparsities: [Float], timer: LatencyTimer,
                                   input: Tensor, reference: Int) throws -> (dense: Int, atSparsity: [Float: Int]) {
        let saved = layer.quantizableWeight.scalars
        defer { layer.quantizableWeight.scalars = saved }
        let levels = Set(sparsities).sorted()
        var best: [Int]?
        var formOf: [Int] = []  // each level's form; 0 is the layer itself, dense
        for _ in 0..<timer.conversions {
            var forms: [Module] = [layer]
            formOf = []
            for sparsity in levels {
                layer.quantizableWeight.scalars = saved
                _ = try pruneByMagnitude(model, .sparsity(sparsity), select: { name, _ in name == weightName })
                let form = try timer.deployedForm(of: layer)
                formOf.append(form === layer ? 0 : forms.count)
                if form !== layer { forms.append(form) }
            }
            // A dense kernel takes as long whatever the weights' values, so the layer is timed at its own.
            layer.quantizableWeight.scalars = saved
            let times = try timer.latencies(of: forms, on: input, beside: model)
            let scale = Double(reference) / Double(max(times.model, 1))
            let scaled = times.forms.map { Int((Double($0) * scale).rounded()) }
            best = best.map { zip($0, scaled).map { min($0, $1) } } ?? scaled
        }
        let times = best ?? [0]
        return (times[0], Dictionary(uniqueKeysWithValues: zip(levels, formOf.map { times[$0] })))
    }

    /// How many layers `measure` profiles: a progress display's length.
    public static func compressibleLayerCount(of model: Module) -> Int { compressibleLayers(of: model).count }

    /// The `Quantizable` layers whose quantized weight is also a prunable weight, in tree order.
    static func compressibleLayers(of model: Module) -> [(path: String, weightName: String, layer: Quantizable)] {
        let prunable = Set(model.prunableParameters.map(\.name))
        return model.namedModules.compactMap { path, module in
            guard let layer = module as? Quantizable, let local = layer.quantizableWeightName else { return nil }
            let name = path.isEmpty ? local : "\(path).\(local)"
            return prunable.contains(name) ? (path, name, layer) : nil
        }
    }

    /// Bytes a weight of `shape` takes stored in `format` with the positions `mask` keeps:
    /// the smallest `SparseCodeLayout` plus the scale (the layouts `QuantizedCheckpoint` writes).
    static func storedBytes(mask: [Float], shape: [Int], format: QuantizationFormat) -> Int {
        let positions = mask.indices.filter { mask[$0] != 0 }
        return SparseCodeLayout.smallest(positions: positions, count: mask.count, bits: format.bitsPerCode).bytes
            + format.parameterBytes(channels: format.granularity == .perChannel ? (shape.first ?? 1) : 1)
    }
}

/// FLOPs per image that involve a non-zero weight (2 per multiply-accumulate).
func nonzeroFLOPs(of model: Module, inputShape: [Int]) throws -> Int {
    2 * (try model.traceLayers(inputShape: inputShape)).reduce(0) { $0 + $1.nonzeroMACs }
}
