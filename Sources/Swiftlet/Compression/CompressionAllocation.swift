/// One setting per compressible layer, chosen for a budget, with what it is predicted to cost
/// and lose.
public struct CompressionAllocation: Sendable {
    /// Each layer's profile and the option chosen for it, in tree order.
    public let choices: [(layer: LayerProfile, option: LayerOption)]
    /// The budget it was chosen for.
    public let budget: CompressionBudget
    /// The most bytes or FLOPs the budget allows.
    public let limit: Int
    /// Predicted stored bytes: the chosen options' plus the rest of the model's.
    public let predictedBytes: Int
    /// Predicted FLOPs per image with non-zero weights.
    public let predictedFLOPs: Int
    /// Predicted batch-1 nanoseconds: the chosen options' times alone plus the rest of the
    /// model's; 0 when the profile was measured without a timer.
    public let predictedNanoseconds: Int
    /// Predicted drop of the metric: the sum of each chosen option's drop
    /// (`CompressionProfile.drop(of:in:)`).
    public let predictedDrop: Double

    /// The allocation meeting `budget` with the least predicted drop, over every option of
    /// every layer (`MultipleChoiceKnapsack`). Throws `unreachableBudget` when even the
    /// cheapest option of every layer does not fit, `latencyNotMeasured` for a latency budget
    /// of a profile without times.
    public static func optimal(_ profile: CompressionProfile, budget: CompressionBudget) throws -> CompressionAllocation {
        guard !profile.layers.isEmpty else { throw AutoCompressionError.noCompressibleLayer }
        guard profile.layers.allSatisfy({ !$0.options.isEmpty }) else { throw AutoCompressionError.noSettings }
        try profile.checkCanServe(budget)
        let limit = budget.limit(reference: profile.reference(for: budget))
        let fixed = profile.fixedCost(for: budget)
        let costs = profile.layers.map { $0.options.map { $0.cost(for: budget) } }
        let losses = profile.layers.map { layer in layer.options.map { profile.drop(of: $0, in: layer) } }
        guard let picked = MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: limit - fixed) else {
            throw AutoCompressionError.unreachableBudget(budget, limit: limit, smallest: fixed + costs.reduce(0) { $0 + ($1.min() ?? 0) })
        }
        return CompressionAllocation(profile, budget: budget, picked: picked)
    }

    /// The best allocation that gives every layer the same setting, among the settings
    /// `include` accepts (e.g. `{ $0.bits == 16 }` for uniform sparsity): the feasible one with
    /// the least predicted drop. Throws `unreachableBudget` when none fits.
    public static func uniform(_ profile: CompressionProfile, budget: CompressionBudget,
                               include: (CompressionSetting) -> Bool) throws -> CompressionAllocation {
        guard let first = profile.layers.first else { throw AutoCompressionError.noCompressibleLayer }
        try profile.checkCanServe(budget)
        var best: CompressionAllocation?
        var smallest = Int.max
        for setting in first.options.map(\.setting) where include(setting) {
            let indices = profile.layers.map { layer in layer.options.firstIndex { $0.setting == setting } }
            guard indices.allSatisfy({ $0 != nil }) else { continue }
            let allocation = CompressionAllocation(profile, budget: budget, picked: indices.map { $0 ?? 0 })
            smallest = min(smallest, allocation.cost)
            guard allocation.cost <= allocation.limit else { continue }
            if best.map({ (allocation.predictedDrop, allocation.cost) < ($0.predictedDrop, $0.cost) }) ?? true { best = allocation }
        }
        guard let best else {
            throw AutoCompressionError.unreachableBudget(budget, limit: budget.limit(reference: profile.reference(for: budget)), smallest: smallest)
        }
        return best
    }

    private init(_ profile: CompressionProfile, budget: CompressionBudget, picked: [Int]) {
        choices = zip(profile.layers, picked).map { ($0, $0.options[$1]) }
        self.budget = budget
        limit = budget.limit(reference: profile.reference(for: budget))
        predictedBytes = profile.fixedBytes + choices.reduce(0) { $0 + $1.option.bytes }
        predictedFLOPs = profile.fixedFLOPs + choices.reduce(0) { $0 + $1.option.flops }
        predictedNanoseconds = profile.fixedNanoseconds + choices.reduce(0) { $0 + $1.option.nanoseconds }
        predictedDrop = choices.reduce(0) { $0 + profile.drop(of: $1.option, in: $1.layer) }
    }

    /// The predicted bytes, FLOPs or nanoseconds, whichever the budget counts.
    public var cost: Int { budget.counted(bytes: predictedBytes, flops: predictedFLOPs, nanoseconds: predictedNanoseconds) }

    /// Prunes each chosen layer of `model` (the model profiled, or a copy of it) by magnitude
    /// to its sparsity and sets its weight to compute in its format (fake quantization);
    /// returns the masks, to hold the pruned weights at zero while fine-tuning
    /// (`PruningMasks.apply(to:)`). Write the result with `QuantizedCheckpoint(model:sparseCodes: true)`.
    public func apply(to model: Module) throws -> PruningMasks {
        var masks = PruningMasks(entries: [])
        for (layer, option) in choices {
            masks.entries += try pruneByMagnitude(model, .sparsity(option.setting.sparsity), select: { name, _ in name == layer.weightName }).entries
        }
        try setWeightFormats(of: model)
        return masks
    }

    /// Sets each chosen layer's weight of `model` to compute in its format (fake quantization)
    /// and prunes nothing: the start of fine-tuning that prunes gradually
    /// (`sparsityTarget(scaledBy:)`) instead of at once as `apply(to:)` does.
    public func setWeightFormats(of model: Module) throws {
        let formats = Dictionary(choices.map { ($0.layer.path, $0.option.setting.weightFormat) }, uniquingKeysWith: { first, _ in first })
        _ = try setQuantization(model) { path in formats[path].map { LayerQuantization(weightFormat: $0) } }
    }

    /// Each chosen layer's sparsity times `fraction` (0…1), by weight name: the target of
    /// gradual pruning towards this allocation — a `ScheduledPruner` whose schedule runs
    /// from 0 to 1 (`GradualPruningSchedule(finalSparsity: 1, …)`) moves every layer along
    /// the same curve and ends at the allocation.
    public func sparsityTarget(scaledBy fraction: Float) -> SparsityTarget {
        .byName(Dictionary(choices.map { ($0.layer.weightName, $0.option.setting.sparsity * fraction) }, uniquingKeysWith: { first, _ in first }))
    }

    /// What `model` as it is now really takes: the bytes of `QuantizedCheckpoint(model:sparseCodes: true)`
    /// and the FLOPs per image with non-zero weights, quantized weights at their quantized values.
    /// (Its time is `LatencyTimer.latencies(of: [model, uncompressed])`, in turns with the
    /// uncompressed model for a `latencyFactor` budget.)
    public static func measuredCost(of model: Module, inputShape: [Int]) throws -> (bytes: Int, flops: Int) {
        (try QuantizedCheckpoint(model: model, sparseCodes: true).byteCount, try ModelFootprint(of: model, inputShape: inputShape).nonzeroFlops)
    }
}

extension CompressionProfile {
    /// The uncompressed model's bytes, dense FLOPs or batch-1 nanoseconds, whichever `budget` counts.
    func reference(for budget: CompressionBudget) -> Int {
        budget.counted(bytes: referenceBytes, flops: referenceFLOPs, nanoseconds: referenceNanoseconds)
    }

    /// What the rest of the model costs in the budget's unit.
    func fixedCost(for budget: CompressionBudget) -> Int { budget.counted(bytes: fixedBytes, flops: fixedFLOPs, nanoseconds: fixedNanoseconds) }

    /// Throws `latencyNotMeasured` for a latency budget when the profile has no times.
    func checkCanServe(_ budget: CompressionBudget) throws {
        if budget.isLatency, referenceNanoseconds == 0 { throw AutoCompressionError.latencyNotMeasured(budget) }
    }

    /// The predicted drop of one of `layer`'s options: the largest drop from the baseline
    /// measured at its setting or at any setting that compresses the layer no more (no higher
    /// sparsity, no fewer bits), at least 0. A setting that measured better than a less
    /// compressed one did so by the noise of the validation split (a gain that vanishes in
    /// fine-tuning); taken at face value it would make the optimiser quantize or prune
    /// where the budget does not ask for it — under a FLOPs budget, bits cost nothing.
    public func drop(of option: LayerOption, in layer: LayerProfile) -> Double {
        layer.options.lazy.filter { $0.setting.compressesNoMore(than: option.setting) }.reduce(0) { max($0, baseline - $1.metric) }
    }
}

extension LayerOption {
    /// Bytes, FLOPs or nanoseconds, whichever `budget` counts.
    func cost(for budget: CompressionBudget) -> Int { budget.counted(bytes: bytes, flops: flops, nanoseconds: nanoseconds) }
}
