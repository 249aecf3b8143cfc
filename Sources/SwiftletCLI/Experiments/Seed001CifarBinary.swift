import Datasets
import Swiftlet

/// seed001-cifar-binary: the CIFAR-10 SimpleCNN trained with the seed recipe (SGD lr 0.01,
/// momentum 0.9, batch 64, 10 epochs, per-channel normalisation), then its weights
/// quantized from the same fp32 model:
///
/// - `ptq-w8a8`: 8-bit integer weights (symmetric per channel) and 8-bit activations
///   calibrated on 1,024 training images, evaluated through the integer-only int8 pipeline;
/// - `ptq-w4` → `qat-w4`: 4-bit integer weights, then 2 epochs of quantization-aware training;
/// - `binary` → `qat-binary`: sign weights scaled by mean|w| per output channel, then 5 epochs
///   of training with float shadow weights and the straight-through estimator.
struct Seed001CifarBinary: Experiment {
    let id = "seed001-cifar-binary"
    let summary = "CIFAR-10 SimpleCNN: int8 PTQ (weights + activations), 4-bit and binary (sign) weights, retrained with STE"
    let corrections = [
        "The document's sample code binarizes by overwriting the weights with their sign and then trains those, so every "
            + "gradient step moves a ±1 weight off the binary set and the next sign() undoes updates smaller than 1. Here "
            + "training keeps float shadow weights, uses α·sign(w) (α = mean|w| per output channel) in the forward pass and "
            + "passes the gradient straight through where |w| ≤ 1 (BinaryConnect); only the signs and α are stored.",
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("cifar10", normalization: CommonOptions.normalization(forChannels: 3))
        let (entry, trained) = try context.trainBaseline("cifar-simplecnn", data: data)
        let int8 = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(.int8Weights), activations: true, data: data)
        try context.finishQuantizedStage("ptq-w8a8", model: int8, data: data)

        let fourBit = try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)
        try context.quantizeAndRetrain(trained, entry: entry, weights: .affine(fourBit), data: data, ptqStage: "ptq-w4",
                                       epochs: 2, stage: "qat-w4")
        try context.quantizeAndRetrain(trained, entry: entry, weights: .binary(.perChannel), data: data, ptqStage: "binary",
                                       epochs: 5, stage: "qat-binary")
        return context.results
    }
}
