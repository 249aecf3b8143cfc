import Datasets
import Foundation
import Swiftlet
import SwiftletBenchmarks
import SwiftletCLI

/// resnet20-cifar-compress: the ResNet-20 of this example taken through the passes that
/// need more than a chain of layers, by the same code a user runs (`resnet20-tool` or
/// `swiftlet reproduce`):
///
/// - `trained`: 30 epochs of SGD (lr 0.1, Nesterov momentum 0.9, weight decay 5·10⁻⁴, batch 128)
///   with cosine annealing, random crops and flips;
/// - `int8`: BatchNorm folded into the convolutions, 8-bit per-channel weights, 8-bit
///   activations calibrated on 1,024 training images, residual adds and global average
///   pooling in integer arithmetic; its speed is measured beside fp32's;
/// - `channels-pruned`: the same fraction of channels removed from every dependency group —
///   the residual stages' tied channels together — keeping multiples of 8, the smallest
///   fraction that halves the multiply-adds; physically smaller, timed beside the trained model;
/// - `pruned-finetuned`: 15 epochs of fine-tuning (lr 0.01, cosine);
/// - `pruned-int8`: the pruned model through the int8 engine.
public struct ResNet20CifarCompress: Experiment {
    public let id = "resnet20-cifar-compress"
    public let summary = "ResNet-20 (a user's model with skip connections): train 30 epochs → int8 → channel pruning through dependency groups to half the MACs + fine-tune → int8"
    public let corrections: [String] = []
    public let references = [
        ReferenceFigure(stage: "trained", accuracy: 91.25, source: "He et al. 2016, 164 epochs on the original CIFAR-10 files"),
    ]

    public let baseStage: String? = "trained"

    /// CIFAR-10 by name, or a folder of CIFAR-10 batch files (the tests' smoke run).
    let dataset: String

    public init(dataset: String = "cifar10") {
        self.dataset = dataset
    }

    public func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages(dataset, normalization: .cifar10, augmentation: .cifar10, batchSize: 128)
        GlobalRandom.seed(context.seed)
        let model = ResNet20()
        try context.baseModel(model, stage: "trained") { try train(model, data: data, context: context) }
        try context.finishStage("trained", model: model, data: data)
        try finishInt8Stage("int8", model: model, data: data, context: context)

        let trained = ResNet20()
        try trained.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) }))
        // Kept channel counts are multiples of 8: 11, 23 and 45 channels ran barely faster than
        // 16, 32 and 64 (docs/any-model.md).
        let pruning = try model.pruneChannels(inputShape: data.imageShape, macsReduction: 0.5, roundTo: 8)
        context.addTable("Channels per dependency group, before and after pruning", groupTable(pruning))
        let speed = { try compareInferenceSpeed(model, against: trained, inputShape: data.imageShape) }
        try context.finishStage("channels-pruned", model: model, data: data, speed: try speed())
        try trainResNet20(model, epochs: context.epochs(default: 15), learningRate: 0.01, stage: "pruned-finetuned", data: data, context: context)
        try context.finishStage("pruned-finetuned", model: model, data: data, speed: try speed())
        try finishInt8Stage("pruned-int8", model: model, data: data, context: context)
        return context.results
    }

    /// The `trained` stage's 30 epochs, with the accuracy after every epoch in a table, to set
    /// beside the PyTorch twin's (Benchmarks/peer/resnet20_cifar.py).
    private func train(_ model: Module, data: ImageData, context: ExperimentContext) throws {
        let measured = context.validationImages == nil ? "test" : "validation"
        var curve = Table(headers: ["epoch", "\(measured) accuracy"])
        try trainResNet20(model, epochs: context.epochs(default: 30), learningRate: 0.1, stage: "trained", data: data, context: context) { epoch in
            let accuracy = try context.evaluate(model, data: data).accuracy
            curve.append(["\(epoch)", String(format: "%.2f %%", accuracy)])
            context.console.diagnostics.write("epoch \(epoch): \(measured) accuracy \(String(format: "%.2f", accuracy)) %\n")
        }
        context.addTable("Accuracy after each training epoch", curve)
    }

    /// The int8 engine's stage, its speed measured beside the float model's (batch 64).
    private func finishInt8Stage(_ stage: String, model: Module, data: ImageData, context: ExperimentContext) throws {
        let engine = try Int8InferenceModel(model, inputShape: data.imageShape, calibration: data.calibrationBatches(images: 1024))
        let flops = try ModelFootprint(of: model, inputShape: data.imageShape).flops
        model.eval()
        defer { model.train() }
        let speed = try compareInferenceSpeed({ _ = try engine($0) }, against: { input in _ = try withNoGrad { try model(input) } },
                                              inputShape: data.imageShape, flops: flops, referenceFlops: flops)
        try context.finishStage(stage, model: model, data: data, evaluation: try evaluate(engine, batches: data.testBatches()), bits: 8,
                                storedBytes: engine.storedBytes, speed: speed, save: false)
    }

    private func groupTable(_ pruning: ChannelPruning) -> Table {
        var table = Table(headers: ["group", "computed by", "channels", "kept"])
        for group in pruning.groups where !group.producers.isEmpty {
            let kept = group.channels - (pruning.removed[group.index]?.count ?? 0)
            let producers = group.producers.count > 3 ? group.producers.prefix(2).joined(separator: ", ") + ", … (\(group.producers.count))"
                                                      : group.producers.joined(separator: ", ")
            table.append(["\(group.index)", producers, "\(group.channels)", group.isPrunable ? "\(kept)" : "\(kept) (\(group.blockedReason ?? ""))"])
        }
        return table
    }
}
