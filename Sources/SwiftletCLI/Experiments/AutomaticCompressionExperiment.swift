import Datasets
import Swiftlet

/// Automatic compression of one model (docs/auto-compression.md) at a few budgets, beside
/// the best uniform allocation of each budget — one sparsity everywhere (float16 values), one
/// bit width everywhere (no pruning), one pair everywhere — all chosen from the same profile
/// and fine-tuned the same way.
///
/// The net is trained by `trainBase` on all but the last `validationImages` training images
/// (or read from `reproduce --base FILE`); those held-out images are the validation split
/// every sensitivity is measured on. The zoo models' recipe: SGD lr 0.01, momentum 0.9, 10
/// epochs. Fine-tuning, on the same training images with the weights fake-quantized: for the
/// zoo models 32 epochs, lr 0.01 annealed along a cosine, each layer pruned gradually to its
/// sparsity over the first 16 and held there — chosen over shorter and one-shot recipes on a
/// held-out split (docs/auto-compression.md). For latency budgets every layer is timed at
/// batch 1 on the first validation image (`LatencyTimer`), with the run's threads.
public struct AutomaticCompressionExperiment: Experiment {
    /// Trains `model` for `epochs` epochs on `training` (the split without the validation images).
    public typealias BaseTraining = @Sendable (_ model: Module, _ training: ImageData, _ epochs: Int, _ context: ExperimentContext) throws -> Void

    public let id: String
    public let summary: String
    let dataset: String
    let normalization: Normalization
    let augmentation: Augmentation?
    let batchSize: Int
    /// A built-in model, or one the program registered (`Catalog`).
    let model: String
    let budgets: [CompressionBudget]
    let validationImages: Int
    let baseEpochs: Int
    let trainBase: BaseTraining
    let fineTuning: AllocationFineTuning
    public let corrections: [String] = []
    public var baseStage: String? { "fp32" }

    /// The zoo models' recipe: SGD with momentum 0.9 at lr 0.01.
    public static let plainSGD: BaseTraining = { model, training, epochs, context in
        try context.trainWithDocumentSGD(model, data: training, epochs: epochs, stage: "fp32")
    }

    /// `model` (built-in or registered by the program) at `budgets`, its data loaded with
    /// `normalization`, `augmentation` and `batchSize`; the base trained by `trainBase` for
    /// `baseEpochs`, each allocation fine-tuned by `fineTuning`.
    public init(id: String, summary: String, dataset: String, normalization: Normalization, augmentation: Augmentation? = nil,
                batchSize: Int = 64, model: String, budgets: [CompressionBudget], validationImages: Int = 5000,
                baseEpochs: Int = 10, trainBase: @escaping BaseTraining = plainSGD,
                fineTuning: AllocationFineTuning = AllocationFineTuning(epochs: 32, learningRate: 0.01, annealed: true, gradualEpochs: 16)) {
        self.id = id
        self.summary = summary
        self.dataset = dataset
        self.normalization = normalization
        self.augmentation = augmentation
        self.batchSize = batchSize
        self.model = model
        self.budgets = budgets
        self.validationImages = validationImages
        self.baseEpochs = baseEpochs
        self.trainBase = trainBase
        self.fineTuning = fineTuning
    }

    /// auto-mnist-net: the MNIST net at 10×, 20× and 40× smaller.
    static let mnistNet = AutomaticCompressionExperiment(
        id: "auto-mnist-net", summary: "MNIST net: per-layer sparsity and bits chosen for 10×, 20×, 40× smaller vs uniform sparsity / bits / both",
        dataset: "mnist", normalization: .centered(channels: 1), model: "mnist-net", budgets: [.size(10), .size(20), .size(40)])
    /// auto-cifar-simplecnn: the CIFAR-10 SimpleCNN at 10× smaller and at 2× fewer FLOPs.
    static let cifarSimpleCNN = AutomaticCompressionExperiment(
        id: "auto-cifar-simplecnn", summary: "CIFAR-10 SimpleCNN: per-layer sparsity and bits chosen for 10× smaller and 2× fewer FLOPs vs uniform allocations",
        dataset: "cifar10", normalization: .cifar10, model: "cifar-simplecnn", budgets: [.size(10), .flops(2)])
    /// auto-lenet300-latency: LeNet-300-100, all Linear layers — the ones with a sparse form —
    /// at 2× and 3× lower batch-1 latency than the dense net on the machine it runs on.
    static let lenet300Latency = AutomaticCompressionExperiment(
        id: "auto-lenet300-latency", summary: "LeNet-300-100: per-layer sparsity chosen from measured layer times for 2× and 3× lower batch-1 latency vs uniform allocations",
        dataset: "mnist", normalization: .centered(channels: 1), model: "lenet300", budgets: [.latencyFactor(2), .latencyFactor(3)])

    /// The uniform allocations compared, by stage prefix, with the settings each may use.
    let uniformFamilies: [(name: String, include: @Sendable (CompressionSetting) -> Bool)] = [
        ("uniform-sparsity", { $0.bits == 16 }), ("uniform-bits", { $0.sparsity == 0 }), ("uniform-both", { _ in true }),
    ]

    /// A stage's budget tag: `10x` for a size budget (the stage `auto-10x`), `flops-2x` for a
    /// FLOPs budget (`auto-flops-2x`), `latency-2x` for a latency one.
    func tag(_ budget: CompressionBudget) -> String {
        let parts = budget.description.split(separator: "=")
        if case .size = budget { return String(parts[1]) }
        return "\(parts[0])-\(parts[1])"
    }

    /// `auto-20x` belongs to the series `auto`, `uniform-bits-flops-2x` to `uniform-bits-flops`.
    public func series(ofStage stage: String) -> String {
        stage.hasSuffix("x") ? String(stage[..<(stage.lastIndex(of: "-") ?? stage.endIndex)]) : stage
    }

    public func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages(dataset, normalization: normalization, augmentation: augmentation, batchSize: batchSize)
        let split = try data.holdingOut(validation: validationImages)
        let entry = try context.catalog.model(model)
        GlobalRandom.seed(context.seed)
        let trained = entry.make()
        try context.baseModel(trained, stage: "fp32") { try trainBase(trained, split, context.epochs(default: baseEpochs), context) }
        try context.finishStage("fp32", model: trained, data: data)
        var fineTuning = fineTuning
        fineTuning.epochs = context.epochs(default: fineTuning.epochs)
        let timer = budgets.contains(where: \.isLatency) ? LatencyTimer(example: try split.firstTestImage()) : nil
        let profile = try context.profileForCompression(trained, validation: split, grid: try CompressionSetting.defaultGrid(for: budgets), timer: timer)
        var comparison = Table(headers: ["budget", "allocation", "predicted drop", "validation predicted", "validation measured",
                                         "stored bytes", "FLOPs/img"] + (timer == nil ? [] : ["µs predicted", "µs measured", "µs fp32 beside it"]) + ["test accuracy"])
        // A row of an allocation that was not fine-tuned: why, in the third column.
        func appendNote(_ budget: CompressionBudget, _ name: String, _ note: String) {
            comparison.append([budget.description, name, note] + Array(repeating: "", count: comparison.columns.count - 3))
        }
        for budget in budgets {
            var allocations = [("auto", try CompressionAllocation.optimal(profile, budget: budget))]
            for (name, include) in uniformFamilies {
                do {
                    allocations.append((name, try CompressionAllocation.uniform(profile, budget: budget, include: include)))
                } catch let error as AutoCompressionError {
                    appendNote(budget, name, "unreachable: \(error)")
                }
            }
            var fineTuned: [(name: String, settings: [CompressionSetting])] = []
            for (name, allocation) in allocations {
                // Under a FLOPs or latency budget uniform sparsity and uniform both settle on the same allocation.
                let settings = allocation.choices.map(\.option.setting)
                if let same = fineTuned.first(where: { $0.settings == settings }) {
                    appendNote(budget, name, "the allocation of \(same.name)")
                    continue
                }
                fineTuned.append((name, settings))
                let fineTunedModel: (result: StageResult, model: Module, measured: MeasuredCost)
                do {
                    fineTunedModel = try context.compressAndFineTune(trained, entry: entry, allocation: allocation, training: split, data: data,
                                                                     fineTuning: fineTuning, stage: "\(name)-\(tag(budget))", timer: timer)
                } catch let error as AutoCompressionError {
                    // A latency is measured on a machine whose speed varies: a miss is a result to show, not a reason to stop.
                    guard case .budgetMissed = error else { throw error }
                    appendNote(budget, name, "missed: \(error)")
                    continue
                }
                let (result, model, measured) = fineTunedModel
                let validation = try Swiftlet.evaluate(model, batches: split.testBatches()).accuracy
                let times = measured.latency.map {
                    [allocation.predictedNanoseconds, $0.nanoseconds, $0.uncompressedNanoseconds].map(CompressCommand.microseconds)
                } ?? []
                comparison.append([budget.description, name, HumanReadable.fixed(allocation.predictedDrop, decimals: 2),
                                   HumanReadable.percent(profile.baseline - allocation.predictedDrop), HumanReadable.percent(validation),
                                   HumanReadable.count(measured.bytes), HumanReadable.count(measured.flops)] + times + [HumanReadable.percent(result.accuracy)])
                context.addTable("\(name) at \(budget)", CompressCommand.table(allocation, profile: profile))
            }
        }
        let uncompressedTime = timer == nil ? "" : "; batch-1 latency of the fp32 net when profiled \(CompressCommand.microseconds(profile.referenceNanoseconds)) µs"
        context.addTable("Automatic against uniform allocations (sensitivity on \(validationImages) held-out training images; "
                         + "validation accuracy of the fp32 net \(HumanReadable.percent(profile.baseline))\(uncompressedTime))", comparison)
        return context.results
    }
}
