import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet quantize`: post-training quantization of a checkpoint, optionally followed by
/// quantization-aware training; writes a quantized checkpoint.
struct QuantizeCommand: Command {
    let catalog: Catalog
    let name = "quantize"
    let summary = "Quantize a checkpoint's weights (and activations), optionally retrain with fake quantization; writes OUT/model.safetensors"
    let discussion = "The output holds the integer codes (bit-packed below 8 bits), scales and zero points, and float biases; its size in the table is exactly those bytes. --activations also calibrates 8-bit asymmetric input quantizers on --calibrate training images; with 8-bit activations the accuracy is measured through the integer-only pipeline, as `swiftlet evaluate` does on the written checkpoint. --scheme binary (sign·mean|w|), ternary and float16 ignore --bits."
    static let bits = Option.integer("bits", default: 8, range: .within(1...16), help: "Bits per weight for sym/asym (sym needs ≥ 2)")
    static let scheme = Option.choice("scheme", ["sym", "asym", "binary", "ternary", "float16"], default: "sym",
                                      help: "sym: x_q = round(x/s), s = max|x|/(2^(b-1)-1); asym: min-max with zero point")
    static let granularity = Option.choice("granularity", ["tensor", "channel"], default: "channel",
                                           help: "One scale per tensor or per output channel")
    static let rounding = Option.choice("rounding", ["round", "floor"], default: "round", help: "Round to nearest, or truncate (floor)")
    static let activations = Option.flag("activations", help: "Also quantize every layer's input to 8 bits (asymmetric, per tensor)")
    static let calibrate = Option.integer("calibrate", default: 1024, range: .images, help: "Training images for activation calibration")
    static let observer = Option.choice("observer", ["minmax", "moving-average", "percentile"], default: "minmax",
                                        help: "Activation range: running min/max, moving average (c = 0.01), or 99.99th percentile")
    static let qatEpochs = Option.integer("qat-epochs", default: 0, range: .epochsOrNone, help: "Epochs of quantization-aware training")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "QAT learning rate (SGD, momentum 0.9)")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, Self.bits, Self.scheme, Self.granularity, Self.rounding, Self.activations,
         Self.calibrate, Self.observer, Self.qatEpochs, Self.learningRate, CommonOptions.dataset, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        let format = try Self.format(arguments)
        let (entry, model) = try CommonOptions.loadModel(arguments, catalog: catalog, command: "swiftlet quantize")
        let output = try DistributedRun(arguments, defaultName: "quantize-\(entry.name)", inputs: [arguments[CommonOptions.checkpoint]])
        defer { output.release() }
        let folder = output.url
        let context = CommonOptions.context(arguments, experiment: "quantize", model: entry, run: output, console: console)
        let data = try CommonOptions.imageData(arguments, for: entry, shard: try context.shard)
        try context.finishStage("fp32", model: model, data: data, save: false)

        let activations = arguments[Self.activations]
        let observer = arguments[Self.observer]
        try prepareQuantization(model, weights: format, activations: activations ? .int8Activations : nil, observer: {
            switch observer {
            case "moving-average": MovingAverageMinMaxObserver()
            case "percentile": try PercentileObserver()
            default: MinMaxObserver()
            }
        })
        if activations { try context.calibrate(model, data: data, images: arguments[Self.calibrate]) }
        let qatEpochs = arguments[Self.qatEpochs]
        try context.finishQuantizedStage("ptq", model: model, data: data, save: qatEpochs == 0, as: "model")
        if qatEpochs > 0 {
            try context.retrainQuantized(model, data: data, epochs: qatEpochs, learningRate: arguments[Self.learningRate], stage: "qat")
            try context.finishQuantizedStage("qat", model: model, data: data, as: "model")
        }
        if !context.json {
            context.console.output.write(StageResult.table(context.results).renderPlainText() + "\nwrote \(folder.path)/model.safetensors (\(format))\n")
        }
        output.finish()
    }

    /// The weight format the options describe; a user error if they do not fit together.
    static func format(_ arguments: ParsedArguments) throws -> QuantizationFormat {
        let granularity: QuantizationScheme.Granularity = arguments[Self.granularity] == "tensor" ? .perTensor : .perChannel
        switch arguments[Self.scheme] {
        case "binary": return .binary(granularity)
        case "ternary": return .ternary(granularity)
        case "float16": return .float16
        case let name:
            let bits = arguments[Self.bits]
            guard name == "asym" || bits >= 2 else {
                throw UsageError.optionConflict("--scheme sym", requirement: "needs --bits 2…16 (use --scheme binary for 1-bit weights)", conflicting: "--bits \(bits)")
            }
            return .affine(try QuantizationScheme(bits: bits, mapping: name == "asym" ? .asymmetric : .symmetric,
                                                  rounding: arguments[Self.rounding] == "floor" ? .floor : .nearest,
                                                  granularity: granularity))
        }
    }
}
