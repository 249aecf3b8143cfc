import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet sensitivity`: per-layer sensitivity analysis (Han et al. 2015, fig. 5) — each
/// weight tensor pruned on its own by magnitude to a range of sparsities, test accuracy
/// measured, the tensor restored. Prints the curves as a table and plots them to SVG.
struct SensitivityCommand: Command {
    let catalog: Catalog
    let name = "sensitivity"
    let summary = "Accuracy vs sparsity of each layer pruned alone; prints a table and writes OUT/sensitivity.svg"
    let discussion = "Layers whose accuracy holds up to high sparsity can be pruned hard; the steep ones deserve a lower target (prune --method global-sparsity lets one magnitude threshold give each layer its own share)."
    static let sparsities = Option.string("sparsities", placeholder: "LIST", default: "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95,0.99",
                                          help: "Comma-separated sparsities in [0, 1] to prune each layer to")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, CommonOptions.dataset, Self.sparsities, CommonOptions.out] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        let sparsities = try parseSparsities(arguments[Self.sparsities])
        let (entry, model) = try CommonOptions.loadModel(arguments, catalog: catalog, command: "swiftlet sensitivity")
        let output = try CommonOptions.claimOutputFolder(arguments, defaultName: "sensitivity-\(entry.name)", inputs: [arguments[CommonOptions.checkpoint]])
        defer { output.release() }
        let folder = output.url
        let data = try CommonOptions.imageData(arguments, for: entry)
        let layerCount = model.prunableParameters.count
        let bar = ProgressBar(stage: "sensitivity", stepsPerPass: 1 + layerCount * sparsities.count, unit: "eval", console: console)
        bar.start(epoch: 1)
        let (baseline, layers) = try layerSensitivity(model, sparsities: sparsities) {
            let accuracy = try evaluate(model, batches: data.testBatches()).accuracy
            bar.advance(items: 1)
            return accuracy
        }
        bar.finish()

        let plotFile = folder.appendingPathComponent("sensitivity.svg")
        let plot = LinePlot(title: "\(entry.name): accuracy with one layer pruned by magnitude", xLabel: "sparsity of the layer (%)",
                            yLabel: "test accuracy (%)", series: layers.map { layer in
                                LinePlot.Series(layer.name, points: [(0, baseline)] + zip(layer.sparsities, layer.metrics).map { (100 * Double($0), $1) })
                            })
        try plot.write(to: plotFile)

        if arguments[GlobalOptions.json] {
            let writer = JSONLinesWriter(sink: console.output)
            for layer in layers {
                for (sparsity, accuracy) in zip(layer.sparsities, layer.metrics) {
                    writer.write(["experiment": "sensitivity", "stage": .string(layer.name), "layer_sparsity": .number(100 * Double(sparsity), decimals: 2),
                                  "accuracy": .number(accuracy, decimals: 2), "baseline_accuracy": .number(baseline, decimals: 2)])
                }
            }
        } else {
            var table = Table(headers: ["layer"] + sparsities.map { HumanReadable.percent(100 * Double($0)) })
            for layer in layers { table.append([layer.name] + layer.metrics.map { HumanReadable.percent($0) }) }
            console.output.write("test accuracy with one layer pruned (intact model: \(HumanReadable.percent(baseline)))\n"
                                 + table.renderPlainText() + "\nwrote \(plotFile.path)\n")
        }
    }

    private func parseSparsities(_ text: String) throws -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0 >= 0 && $0 <= 1 } ?? false }) else {
            throw UsageError.invalidValue(option: "--sparsities", value: text, expected: "comma-separated numbers in [0, 1]")
        }
        return values.compactMap { $0 }
    }
}
