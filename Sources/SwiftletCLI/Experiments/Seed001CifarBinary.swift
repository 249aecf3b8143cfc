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
        GlobalRandom.seed(context.seed)
        let entry = try ModelZoo.entry("cifar-simplecnn")
        let trained = entry.make()
        try context.train(trained, optimizer: SGD(trained.parameters, lr: 0.01, momentum: 0.9), data: data,
                          epochs: context.epochs(default: 10), stage: "fp32")
        try context.finishStage("fp32", model: trained, data: data)

        let int8 = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(.int8Weights), activations: true, data: data)
        try context.finishQuantizedStage("ptq-w8a8", model: int8, data: data)

        let fourBit = try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)
        for (name, format, epochs) in [("w4", QuantizationFormat.affine(fourBit), 2), ("binary", .binary(.perChannel), 5)] {
            let model = try context.quantizedCopy(of: trained, entry: entry, weights: format, data: data)
            try context.finishQuantizedStage(name == "w4" ? "ptq-w4" : name, model: model, data: data)
            try context.retrainQuantized(model, data: data, epochs: context.epochs(default: epochs), learningRate: 0.01, stage: "qat-\(name)")
            try context.finishQuantizedStage("qat-\(name)", model: model, data: data)
        }
        return context.results
    }
}
