import Foundation
import Swiftlet

/// The stages automatic compression runs through, shared by `swiftlet compress` and the
/// `auto-*` experiments: profiling on a validation split with a progress bar, and applying an
/// allocation to a copy of the trained model, fine-tuned with masks and fake quantization held.
extension ExperimentContext {
    /// `CompressionProfile.measure` of `model` on `validation`'s held-out images (its test
    /// batches), timing its layers with `timer` if given, with a progress bar on stderr.
    func profileForCompression(_ model: Module, validation: ImageData, grid: [CompressionSetting],
                               timer: LatencyTimer? = nil) throws -> CompressionProfile {
        let layers = CompressionProfile.compressibleLayerCount(of: model)
        let bar = ProgressBar(stage: "profile", stepsPerPass: 1 + layers * grid.count, unit: "eval", console: console)
        bar.start(epoch: 1)
        defer { bar.finish() }
        return try CompressionProfile.measure(model, inputShape: validation.imageShape, grid: grid, timer: timer) {
            let accuracy = try Swiftlet.evaluate(model, batches: validation.testBatches()).accuracy
            bar.advance(items: 1)
            return accuracy
        }
    }

    /// A copy of `trained` (a fresh `entry` with its weights) with `allocation` applied,
    /// fine-tuned on `training`'s training images by `fineTuning` (pruned weights held at zero,
    /// weights fake-quantized), then finished as `stage` on `data` and stored with sparse
    /// codes; also returns its measured bytes and FLOPs, and with a `timer` (a latency budget
    /// needs one) its batch-1 time and `trained`'s, timed in turns. Throws `budgetMissed` if
    /// the compressed model does not meet the budget — for a latency factor, against
    /// `trained`'s time measured beside it.
    @discardableResult
    func compressAndFineTune(_ trained: Module, entry: ModelZoo.Entry, allocation: CompressionAllocation, training: ImageData,
                             data: ImageData, fineTuning: AllocationFineTuning, stage: String, as checkpointName: String? = nil,
                             timer: LatencyTimer? = nil) throws -> (result: StageResult, model: Module, measured: MeasuredCost) {
        let model = entry.make()
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: trained.stateDict.map { ($0.name, $0.tensor) }))
        // Without fine-tuning there is nothing to prune gradually over.
        let gradualEpochs = fineTuning.epochs > 0 ? fineTuning.gradualEpochs.map { min($0, fineTuning.epochs) } : nil
        if gradualEpochs == nil { _ = try allocation.apply(to: model) } else { try allocation.setWeightFormats(of: model) }
        if fineTuning.epochs > 0 {
            try retrainQuantized(model, data: training, epochs: fineTuning.epochs, learningRate: fineTuning.learningRate, stage: stage,
                                 annealed: fineTuning.annealed, gradualPruning: gradualEpochs.map { ($0, allocation.sparsityTarget(scaledBy:)) })
        }
        let (bytes, flops) = try CompressionAllocation.measuredCost(of: model, inputShape: data.imageShape)
        let times = try timer.map { try $0.latencies(of: [model, trained]) }
        if allocation.budget.isLatency, times == nil { throw AutoCompressionError.latencyNotMeasured(allocation.budget) }
        // An absolute latency ignores the reference; a factor divides the time measured just now.
        let limit = times.map { allocation.budget.isLatency ? allocation.budget.limit(reference: $0[1]) : allocation.limit } ?? allocation.limit
        let measured = MeasuredCost(bytes: bytes, flops: flops, latency: times.map { (nanoseconds: $0[0], uncompressedNanoseconds: $0[1]) }, limit: limit)
        let cost = allocation.budget.counted(bytes: bytes, flops: flops, nanoseconds: times?[0] ?? 0)
        guard cost <= limit else {
            throw AutoCompressionError.budgetMissed(allocation.budget, limit: limit, measured: cost)
        }
        let result = try finishQuantizedStage(stage, model: model, data: data, as: checkpointName, sparseCodes: true)
        return (result, model, measured)
    }
}

/// What a compressed model measured: stored bytes, FLOPs per image, when timed its batch-1
/// nanoseconds and the uncompressed model's, timed in turns, and the budget's limit it was
/// held to (for a latency factor, the uncompressed time just measured over the factor).
struct MeasuredCost {
    let bytes: Int
    let flops: Int
    let latency: (nanoseconds: Int, uncompressedNanoseconds: Int)?
    let limit: Int
}

/// How `compressAndFineTune` fine-tunes an allocation: SGD with momentum 0.9 from
/// `learningRate` for `epochs` epochs, annealed to 0 along a cosine when `annealed`; every
/// layer pruned to its sparsity at once before the first epoch, or — with `gradualEpochs` —
/// gradually, along Zhu & Gupta's cubic over the first that many epochs, each layer towards
/// its own sparsity.
public struct AllocationFineTuning: Sendable {
    public var epochs: Int
    public var learningRate: Float
    public var annealed: Bool
    public var gradualEpochs: Int?

    public init(epochs: Int, learningRate: Float, annealed: Bool = false, gradualEpochs: Int? = nil) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.annealed = annealed
        self.gradualEpochs = gradualEpochs
    }
}
