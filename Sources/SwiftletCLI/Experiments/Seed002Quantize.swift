import Datasets
import Swiftlet

/// seed002-quantize: the document's quantizers side by side on the classic MNIST net
/// (trained with the seed recipe: SGD lr 0.01, momentum 0.9, batch 64, 10 epochs):
/// linear asymmetric (min-max, zero point) and symmetric (max|x|) quantization of every
/// weight tensor at 16, 8 and 4 bits with one scale per tensor, IEEE float16, all
/// post-training; then quantization-aware training (2 epochs) at 4 bits for both mappings.
struct Seed002Quantize: Experiment {
    let id = "seed002-quantize"
    let summary = "MNIST net: asymmetric and symmetric linear quantization at 16/8/4 bits and float16, PTQ and 4-bit QAT"
    let corrections = [
        "The documents' symmetric formula x_q = round(x/x_max·(2^(b−1) − 1)) divides by x_max; read as the largest signed "
            + "value, weights below −x_max would overflow the code range, so here x_max = max|x| (as torch.ao and TF-MOT do).",
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let (entry, trained) = try context.trainBaseline("mnist-net", data: data)
        let mappings: [(String, QuantizationScheme.Mapping)] = [("asym", .asymmetric), ("sym", .symmetric)]
        for (name, mapping) in mappings {
            for bits in [16, 8, 4] {
                let scheme = try QuantizationScheme(bits: bits, mapping: mapping, granularity: .perTensor)
                let model = try context.quantizedCopy(of: trained, entry: entry, weights: .affine(scheme), data: data)
                try context.finishQuantizedStage("ptq-\(name)-w\(bits)", model: model, data: data)
            }
        }
        let half = try context.quantizedCopy(of: trained, entry: entry, weights: .float16, data: data)
        try context.finishQuantizedStage("ptq-float16", model: half, data: data)

        for (name, mapping) in mappings {
            let scheme = try QuantizationScheme(bits: 4, mapping: mapping, granularity: .perTensor)
            try context.quantizeAndRetrain(trained, entry: entry, weights: .affine(scheme), data: data, epochs: 2, stage: "qat-\(name)-w4")
        }
        return context.results
    }
}
