import Datasets
import Swiftlet

/// Automatic compression of one zoo model (docs/auto-compression.md) at a few budgets,
/// beside the best uniform allocation of each budget — one sparsity everywhere (float16
/// values), one bit width everywhere (no pruning), one pair everywhere — all chosen from the
/// same profile and fine-tuned the same way.
///
/// The net is trained (SGD lr 0.01, momentum 0.9, 10 epochs) on all but the last 5,000
/// training images; those 5,000 are the validation split every sensitivity is measured on.
/// Fine-tuning, on the same training images with the weights fake-quantized: 32 epochs, lr
/// 0.01 annealed along a cosine, each layer pruned gradually to its sparsity over the first 16
/// and held there — chosen over shorter and one-shot recipes on a held-out split
/// (docs/auto-compression.md).
struct AutomaticCompressionExperiment: Experiment {
    let id: String
    let summary: String
    let dataset: String
    let normalization: Normalization
    let model: String
    let budgets: [CompressionBudget]
    let validationImages = 5000
    let fineTuning = AllocationFineTuning(epochs: 32, learningRate: 0.01, annealed: true, gradualEpochs: 16)
    let corrections: [String] = []

    /// auto-mnist-net: the MNIST net at 10×, 20× and 40× smaller.
    static let mnistNet = AutomaticCompressionExperiment(
        id: "auto-mnist-net", summary: "MNIST net: per-layer sparsity and bits chosen for 10×, 20×, 40× smaller vs uniform sparsity / bits / both",
        dataset: "mnist", normalization: .centered(channels: 1), model: "mnist-net", budgets: [.size(10), .size(20), .size(40)])
    /// auto-cifar-simplecnn: the CIFAR-10 SimpleCNN at 10× smaller and at 2× fewer FLOPs.
    static let cifarSimpleCNN = AutomaticCompressionExperiment(
        id: "auto-cifar-simplecnn", summary: "CIFAR-10 SimpleCNN: per-layer sparsity and bits chosen for 10× smaller and 2× fewer FLOPs vs uniform allocations",
        dataset: "cifar10", normalization: .cifar10, model: "cifar-simplecnn", budgets: [.size(10), .flops(2)])

    /// The uniform allocations compared, by stage prefix, with the settings each may use.
    let uniformFamilies: [(name: String, include: @Sendable (CompressionSetting) -> Bool)] = [
        ("uniform-sparsity", { $0.bits == 16 }), ("uniform-bits", { $0.sparsity == 0 }), ("uniform-both", { _ in true }),
    ]

    /// A stage's budget tag: `10x` for a size budget (the stage `auto-10x`), `flops-2x` for a
    /// FLOPs budget (`auto-flops-2x`).
    func tag(_ budget: CompressionBudget) -> String {
        let factor = budget.description.split(separator: "=")[1]
        if case .size = budget { return String(factor) }
        return "flops-\(factor)"
    }

    /// `auto-20x` belongs to the series `auto`, `uniform-bits-flops-2x` to `uniform-bits-flops`.
    func series(ofStage stage: String) -> String {
        stage.hasSuffix("x") ? String(stage[..<(stage.lastIndex(of: "-") ?? stage.endIndex)]) : stage
    }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages(dataset, normalization: normalization)
        let split = try data.holdingOut(validation: validationImages)
        let entry = try ModelZoo.entry(model)
        let trained = try context.trainModel(entry.name, data: data, trainingData: split, epochs: context.epochs(default: 10), stage: "fp32")
        var fineTuning = fineTuning
        fineTuning.epochs = context.epochs(default: fineTuning.epochs)
        let profile = try context.profileForCompression(trained, validation: split, grid: try CompressionSetting.defaultGrid())
        var comparison = Table(headers: ["budget", "allocation", "predicted drop", "validation predicted", "validation measured",
                                         "stored bytes", "FLOPs/img", "test accuracy"])
        for budget in budgets {
            var allocations = [("auto", try CompressionAllocation.optimal(profile, budget: budget))]
            for (name, include) in uniformFamilies {
                do {
                    allocations.append((name, try CompressionAllocation.uniform(profile, budget: budget, include: include)))
                } catch let error as AutoCompressionError {
                    comparison.append([budget.description, name, "unreachable: \(error)", "", "", "", "", ""])
                }
            }
            for (name, allocation) in allocations {
                let (result, model, measured) = try context.compressAndFineTune(
                    trained, entry: entry, allocation: allocation, training: split, data: data,
                    fineTuning: fineTuning, stage: "\(name)-\(tag(budget))")
                let validation = try Swiftlet.evaluate(model, batches: split.testBatches()).accuracy
                comparison.append([budget.description, name, HumanReadable.fixed(allocation.predictedDrop, decimals: 2),
                                   HumanReadable.percent(profile.baseline - allocation.predictedDrop), HumanReadable.percent(validation),
                                   HumanReadable.count(measured.bytes), HumanReadable.count(measured.flops), HumanReadable.percent(result.accuracy)])
                context.addTable("\(name) at \(budget)", CompressCommand.table(allocation, profile: profile))
            }
        }
        context.addTable("Automatic against uniform allocations (sensitivity on \(validationImages) held-out training images; "
                         + "validation accuracy of the fp32 net \(HumanReadable.percent(profile.baseline)))", comparison)
        return context.results
    }
}
