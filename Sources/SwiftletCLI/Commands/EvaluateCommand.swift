import Datasets
import Foundation
import Swiftlet

/// `swiftlet evaluate`: test accuracy and footprint of a checkpoint.
struct EvaluateCommand: Command {
    let name = "evaluate"
    let summary = "Print the test accuracy, sparsity, size and FLOPs of a checkpoint"

    var options: [any OptionDeclaration] {
        [CommonOptions.model, CommonOptions.checkpoint, CommonOptions.dataset] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        let (entry, model) = try CommonOptions.loadModel(arguments, command: "swiftlet evaluate")
        let data = try ImageData(dataset: try loadDataset(arguments[CommonOptions.dataset], options: CommonOptions.fetchOptions(arguments)),
                                 normalization: CommonOptions.normalization(forChannels: entry.inputShape[0]),
                                 augmentation: nil, batchSize: 64, seed: 0)
        try CommonOptions.requireInputShape(entry, data)
        let evaluation = try evaluate(model, batches: data.testBatches())
        let result = StageResult(experiment: "evaluate", stage: "evaluated", accuracy: evaluation.accuracy,
                                 footprint: try ModelFootprint(of: model, inputShape: entry.inputShape), seconds: evaluation.seconds)
        if arguments[GlobalOptions.json] {
            JSONLinesWriter(sink: console.output).write(result.json)
        } else {
            var table = Table(headers: StageResult.tableHeaders)
            table.append(result.tableRow)
            console.output.write(table.renderPlainText() + "\n")
        }
    }
}
