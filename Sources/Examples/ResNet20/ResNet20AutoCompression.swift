import Swiftlet
import SwiftletCLI

extension AutomaticCompressionExperiment {
    /// auto-resnet20-flops: the example's ResNet-20 — a user's model with skip connections,
    /// registered by the program — at 2× fewer FLOPs, each layer's sparsity chosen against
    /// uniform sparsity. The base is trained as `resnet20-cifar-compress` trains (50 epochs
    /// here) on all but the last `validationImages` training images; each allocation is
    /// fine-tuned 10 epochs at lr 0.01 (cosine), pruned gradually over the first 5, the
    /// recipe of the compression stages of `resnet20-cifar-compress` shortened to fit two
    /// fine-tunes in the time of one.
    public static func resNet20(dataset: String = "cifar10", validationImages: Int = 5000) -> AutomaticCompressionExperiment {
        // ANCHOR: experiment
        AutomaticCompressionExperiment(
            id: "auto-resnet20-flops",
            summary: "ResNet-20 (a user's model with skip connections): per-layer sparsity chosen for 2× fewer FLOPs vs uniform sparsity",
            dataset: dataset, normalization: .cifar10, augmentation: .cifar10, batchSize: 128, model: ResNet20.entry.name,
            budgets: [.flops(2)], validationImages: validationImages, baseEpochs: 50,
            trainBase: { model, training, epochs, context in
                try trainResNet20(model, epochs: epochs, learningRate: 0.1, stage: "fp32", data: training, context: context)
            },
            fineTuning: AllocationFineTuning(epochs: 10, learningRate: 0.01, annealed: true, gradualEpochs: 5))
        // ANCHOR_END: experiment
    }
}
