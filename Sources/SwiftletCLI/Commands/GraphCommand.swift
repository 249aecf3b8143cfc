import Foundation
import Swiftlet
import SwiftletKernels

/// `swiftlet graph`: a picture of the backward graph of one training step.
struct GraphCommand: Command {
    let catalog: Catalog
    let name = "graph"
    let summary = "Draw the backward graph of one training step of a model as SVG (or Graphviz DOT)"
    let discussion = """
        Builds the model freshly initialised from --seed, runs one training step on a random batch (--batch normal images \
        and random labels): forward, cross-entropy loss, backward, and draws the graph that backward() walked. Each box \
        is a tensor: the op that computed it (blue), a parameter by its state-dict name (yellow), the images, a constant \
        (grey) or the loss (red), with its shape; tensors of at most 4 elements show their values and gradients. \
        Inputs are at the top, the loss at the bottom, laid out in layers by Swiftlet itself (no Graphviz needed). An \
        --out ending in .dot writes the graph in Graphviz's DOT language instead.
        """
    static let out = Option<String?>.string("out", placeholder: "FILE", help: "The .svg (or .dot) file to write")
    static let batch = Option.integer("batch", default: 2, range: .within(1...1024), help: "Images in the random batch")

    var options: [any OptionDeclaration] { [catalog.modelOption(), Self.out, Self.batch] + GlobalOptions.all }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let command = "swiftlet graph"
        let entry = try catalog.requiredModel(arguments, command: command)
        guard let path = arguments[Self.out] else { throw UsageError.missingArgument("--out", command: command) }
        CommonOptions.applyThreads(arguments)
        let seed = UInt64(arguments[GlobalOptions.seed])
        GlobalRandom.seed(seed)
        let model = entry.make()
        var generator = SeededRandom(seed: seed &+ 1)
        let images = Tensor.normal([arguments[Self.batch]] + entry.inputShape, generator: &generator)
        let logits = try model(images)
        let labels = (0..<images.shape[0]).map { _ in generator.nextInt(below: logits.shape.last ?? 1) }
        let loss = try crossEntropy(logits, labels)
        try loss.backward()
        let lossValue = try loss.item

        let graph = BackwardGraph(of: loss, names: [("images", images)] + model.namedParameters)
        let url = URL(fileURLWithPath: path)
        try AtomicFile.write(url.pathExtension == "dot" ? graph.dot() : graph.svg(), to: url)
        let operations = graph.nodes.filter { $0.operation != nil }.count
        let parameters = graph.nodes.filter { $0.operation == nil && $0.tensor.requiresGrad }.count
        if arguments[GlobalOptions.json] {
            JSONLinesWriter(sink: console.output).write([
                "graph": .string(url.path), "model": .string(entry.name), "tensors": .integer(graph.nodes.count),
                "operations": .integer(operations), "parameters": .integer(parameters), "loss": .number(Double(lossValue)),
            ])
        } else {
            console.output.write("wrote \(url.path): \(graph.nodes.count) tensors, \(operations) operations, \(parameters) parameters "
                                 + "(\(entry.name), one training step, loss \(String(format: "%.4f", lossValue)))\n")
        }
    }
}
