import Datasets
import Foundation
import Swiftlet

/// `swiftlet evaluate`: test accuracy and footprint of a checkpoint.
struct EvaluateCommand: Command {
    let catalog: Catalog
    let name = "evaluate"
    let summary = "Print the test accuracy, sparsity, size and FLOPs of a checkpoint (float or quantized)"
    let discussion = "A quantized checkpoint (from swiftlet quantize) is restored into quantized layers; with 8-bit activations it runs through the integer-only pipeline (int8 × int8 → int32 kernels), otherwise in float with the weights at their quantized values. --probe FILE also writes the first 8 test images and the model's logits for them (tensors input and logits), for Tests/python/check_safetensors.py to compare with PyTorch."
    static let probe = Option<String?>.string("probe", placeholder: "FILE", help: "Write inputs and logits of 8 test images to FILE")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, CommonOptions.dataset, Self.probe] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        if let probe = arguments[Self.probe] { try CommonOptions.refuseOverwritingCheckpoint(probe, arguments, option: "--probe") }
        let (entry, model, quantized) = try CommonOptions.loadCheckpoint(arguments, catalog: catalog, command: "swiftlet evaluate")
        let data = try CommonOptions.imageData(arguments, for: entry)
        let evaluation = quantized == nil ? try evaluate(model, batches: data.testBatches())
                                          : try evaluateQuantized(model, data: data)
        if let probe = arguments[Self.probe] { try writeProbe(model, data: data, to: URL(fileURLWithPath: probe)) }
        let result = StageResult(experiment: "evaluate", stage: "evaluated", accuracy: evaluation.accuracy,
                                 footprint: try ModelFootprint(of: model, inputShape: entry.inputShape), seconds: evaluation.seconds,
                                 bits: model.quantizedWeightBits, storedBytes: quantized?.byteCount,
                                 imagesPerSecond: evaluation.imagesPerSecond)
        if arguments[GlobalOptions.json] {
            JSONLinesWriter(sink: console.output).write(result.json)
        } else {
            console.output.write(StageResult.table([result]).renderPlainText() + "\n")
        }
    }

    /// Inputs and eval-mode logits of the first 8 test images, as safetensors.
    private func writeProbe(_ model: Module, data: ImageData, to url: URL) throws {
        guard let first = data.testBatches().first(where: { _ in true }) else { return }
        let count = min(8, first.labels.count)
        let input = Tensor(shape: [count] + data.imageShape, scalars: Array(first.images.scalars.prefix(count * data.imageShape.reduce(1, *))))
        model.eval()
        let logits = try withNoGrad { try model(input) }
        try SafeTensorsFile(tensors: ["input": SafeTensorsRecord(floats: input.scalars, shape: input.shape),
                                      "logits": SafeTensorsRecord(floats: logits.scalars, shape: logits.shape)]).write(to: url)
    }
}
