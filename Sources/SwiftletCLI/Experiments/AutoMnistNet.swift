import Swiftlet

/// auto-mnist-net: automatic compression of the MNIST net (docs/auto-compression.md) at
/// stored-size budgets of 10×, 20× and 40×, beside the best uniform allocation of each budget
/// — one sparsity everywhere (float16 values), one bit width everywhere (no pruning), one
/// pair everywhere — all chosen from the same profile and fine-tuned the same way.
///
/// The net is trained (SGD lr 0.01, momentum 0.9, 10 epochs) on all but the last 5,000
/// training images; those 5,000 are the validation split every sensitivity is measured on.
/// Fine-tuning: 4 epochs at lr 0.01 on the same 55,000 images, pruned weights held at zero,
/// weights fake-quantized — fixed before any run, not tuned.
struct AutoMnistNet: Experiment {
    let id = "auto-mnist-net"
    let summary = "MNIST net: per-layer sparsity and bits chosen for 10×, 20×, 40× smaller vs uniform sparsity / bits / both"
    let budgets: [Double] = [10, 20, 40]
    let validationImages = 5000
    let fineTuneEpochs = 4
    let corrections: [String] = []

    /// The uniform allocations compared, by stage prefix, with the settings each may use.
    let uniformFamilies: [(name: String, include: @Sendable (CompressionSetting) -> Bool)] = [
        ("uniform-sparsity", { $0.bits == 16 }), ("uniform-bits", { $0.sparsity == 0 }), ("uniform-both", { _ in true }),
    ]

    /// `auto-20x` belongs to the series `auto`, `uniform-bits-10x` to `uniform-bits`.
    func series(ofStage stage: String) -> String {
        stage.hasSuffix("x") ? String(stage[..<(stage.lastIndex(of: "-") ?? stage.endIndex)]) : stage
    }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let split = try data.holdingOut(validation: validationImages)
        let entry = try ModelZoo.entry("mnist-net")
        let trained = try context.trainModel(entry.name, data: data, trainingData: split, epochs: context.epochs(default: 10), stage: "fp32")
        let profile = try context.profileForCompression(trained, validation: split, grid: try CompressionSetting.defaultGrid())
        var comparison = Table(headers: ["budget", "allocation", "predicted drop", "validation predicted", "validation measured",
                                         "stored bytes", "test accuracy"])
        for factor in budgets {
            let budget = CompressionBudget.size(factor)
            let tag = "\(Int(factor))x"
            var allocations = [("auto", try CompressionAllocation.optimal(profile, budget: budget))]
            for (name, include) in uniformFamilies {
                do {
                    allocations.append((name, try CompressionAllocation.uniform(profile, budget: budget, include: include)))
                } catch let error as AutoCompressionError {
                    comparison.append([budget.description, name, "unreachable: \(error)", "", "", "", ""])
                }
            }
            for (name, allocation) in allocations {
                let (result, model, _) = try context.compressAndFineTune(
                    trained, entry: entry, allocation: allocation, training: split, data: data,
                    epochs: context.epochs(default: fineTuneEpochs), learningRate: 0.01, stage: "\(name)-\(tag)")
                let validation = try Swiftlet.evaluate(model, batches: split.testBatches()).accuracy
                comparison.append([budget.description, name, HumanReadable.fixed(allocation.predictedDrop, decimals: 2),
                                   HumanReadable.percent(profile.baseline - allocation.predictedDrop), HumanReadable.percent(validation),
                                   HumanReadable.count(result.storedBytes), HumanReadable.percent(result.accuracy)])
                context.addTable("\(name) at \(budget)", CompressCommand.table(allocation, profile: profile))
            }
        }
        context.addTable("Automatic against uniform allocations (sensitivity on \(validationImages) held-out training images; "
                         + "validation accuracy of the fp32 net \(HumanReadable.percent(profile.baseline)))", comparison)
        return context.results
    }
}
