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
    let references = [
        ReferenceFigure(stage: "fp32", accuracy: 99.16, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "round-w8", accuracy: 99.13, source: "PyTorch, weight-only PTQ of its own fp32 model"),
        ReferenceFigure(stage: "round-w4", accuracy: 98.77, source: "PyTorch, weight-only PTQ of its own fp32 model"),
        ReferenceFigure(stage: "round-w2", accuracy: 17.7, source: "PyTorch, weight-only PTQ of its own fp32 model"),
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let (entry, trained) = try context.trainBaseline("mnist-net", data: data)
        for rounding in [QuantizationScheme.Rounding.nearest, .floor] {
            for bits in [8, 4, 2] {
                let name = "\(rounding == .nearest ? "round" : "floor")-w\(bits)"
                let scheme = try QuantizationScheme(bits: bits, mapping: .asymmetric, rounding: rounding, granularity: .perTensor)
                try context.quantizeAndRetrain(trained, entry: entry, weights: .affine(scheme), data: data, ptqStage: name,
                                               epochs: 2, stage: "\(name)-retrained")
            }
        }
        let int8 = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(.int8Weights), activations: true, data: data)
        try context.finishQuantizedStage("ptq-w8a8", model: int8, data: data)

        let fourBit = try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)
        try context.quantizeAndRetrain(trained, entry: entry, weights: .affine(fourBit), data: data, epochs: 3, stage: "qat-w4")
        try context.quantizeAndRetrain(trained, entry: entry, weights: .binary(.perChannel), data: data, epochs: 10, stage: "qat-w1")
        return context.results
    }
}
