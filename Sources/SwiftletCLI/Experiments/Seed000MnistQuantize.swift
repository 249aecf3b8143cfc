import Datasets
import Swiftlet

/// seed000-mnist-quantize: the classic MNIST net trained with the document's recipe (SGD
/// lr 0.01, momentum 0.9, batch 64, 10 epochs, mean/std 0.5), then quantized from the same
/// fp32 weights in several ways, each evaluated on the test set and stored:
///
/// - the document's own scheme: linear min-max quantization of every weight tensor, by
///   rounding and by truncation (floor), with the affine dequantization w = a·w′ + b, at 8, 4
///   and 2 bits, each evaluated, then retrained 2 epochs through fake quantization;
/// - `ptq-w8a8`: 8-bit symmetric per-channel weights and 8-bit activations calibrated on
///   1,024 training images, evaluated through the integer-only int8 pipeline;
/// - `qat-w4`: 4-bit symmetric per-channel weights, 3 epochs of quantization-aware training;
/// - `qat-w1`: binary weights (sign · mean|w| per output channel), 10 epochs of
///   quantization-aware training on float shadow weights.
struct Seed000MnistQuantize: Experiment {
    let id = "seed000-mnist-quantize"
    let summary = "MNIST net: round/floor quantization at 8/4/2 bits → retrain; int8 PTQ (weights + activations); 4-bit and binary QAT"
    let corrections = [
        "Truncation x_q = floor(…) dequantized with the plain affine map w = a·w′ + b is biased by half a step (every weight "
            + "moves down); here a truncated code stands for the centre of its cell, so its error is bounded by s/2 as for rounding.",
        "The documents' min-max formula puts x_min on code 0 exactly; here x_min is snapped to the grid (integer zero point, "
            + "range widened to include 0, as PyTorch does) so that 0.0 is represented exactly.",
        "Retraining after quantization keeps float shadow weights, rounds them in every forward pass and passes gradients "
            + "straight through (STE); training the rounded weights directly would lose every update smaller than one step.",
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: Normalization(mean: [0.5], std: [0.5]))
        GlobalRandom.seed(context.seed)
        let entry = try ModelZoo.entry("mnist-net")
        let trained = entry.make()
        try context.train(trained, optimizer: SGD(trained.parameters, lr: 0.01, momentum: 0.9), data: data,
                          epochs: context.epochs(default: 10), stage: "fp32")
        try context.finishStage("fp32", model: trained, data: data)

        for rounding in [QuantizationScheme.Rounding.nearest, .floor] {
            for bits in [8, 4, 2] {
                let name = "\(rounding == .nearest ? "round" : "floor")-w\(bits)"
                let scheme = try QuantizationScheme(bits: bits, mapping: .asymmetric, rounding: rounding, granularity: .perTensor)
                let model = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(scheme), data: data)
                try context.finishQuantizedStage(name, model: model, data: data)
                try context.retrainQuantized(model, data: data, epochs: context.epochs(default: 2), learningRate: 0.01, stage: "\(name)-retrained")
                try context.finishQuantizedStage("\(name)-retrained", model: model, data: data)
            }
        }

        let int8 = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(.int8Weights), activations: true, data: data)
        try context.finishQuantizedStage("ptq-w8a8", model: int8, data: data)

        let fourBit = try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)
        for (stage, format, epochs) in [("qat-w4", QuantizationFormat.affine(fourBit), 3), ("qat-w1", .binary(.perChannel), 10)] {
            let model = try context.quantizedCopy(of: trained, entry: entry, weights: format, data: data)
            try context.retrainQuantized(model, data: data, epochs: context.epochs(default: epochs), learningRate: 0.01, stage: stage)
            try context.finishQuantizedStage(stage, model: model, data: data)
        }
        return context.results
    }
}
