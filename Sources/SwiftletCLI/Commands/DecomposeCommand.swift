import Foundation
import Swiftlet
import SwiftletFiles
import SwiftletBenchmarks

/// `swiftlet decompose`: replaces one layer of a checkpoint by its truncated-SVD factorisation.
struct DecomposeCommand: Command {
    let catalog: Catalog
    let name = "decompose"
    let summary = "Factorise one Linear or Conv2d layer of a checkpoint by truncated SVD, optionally fine-tune; writes OUT/model.safetensors"
    let discussion = """
        A Linear layer becomes Linear(in, r) → Linear(r, out); a k×k convolution becomes a k×k convolution with r filters → a 1×1 \
        convolution (--separable: k×1 → 1×k). Give exactly one of --rank and --energy. The table compares each stage's inference \
        speed (batch 64, measured alternately with the loaded model) with its dense-FLOP reduction. The written checkpoint \
        names the factors <layer>.0 and <layer>.1, as PyTorch's nn.Sequential would; every command's --checkpoint (with the \
        same --model) loads it.
        """
    static let layer = Option<String?>.string("layer", placeholder: "NAME", help: "The layer to factorise, e.g. fc1 or conv2")
    static let rank = Option<Int?>.integer("rank", range: .positive, help: "Singular values kept")
    static let energy = Option<Float?>.number("energy", range: .within(0...1), help: "Keep the fewest singular values holding this fraction of Σσ²")
    static let separable = Option.flag("separable", help: "Convolutions: spatial separable k×1 then 1×k instead of r filters then 1×1")
    static let finetuneEpochs = Option.integer("finetune-epochs", default: 0, range: .epochsOrNone, help: "Epochs of fine-tuning after the factorisation")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Fine-tuning learning rate (SGD, momentum 0.9)")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, Self.layer, Self.rank, Self.energy, Self.separable, Self.finetuneEpochs,
         Self.learningRate, CommonOptions.dataset, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let command = "swiftlet decompose"
        guard let layer = arguments[Self.layer] else { throw UsageError.missingArgument("--layer", command: command) }
        let selection: RankSelection
        switch (arguments[Self.rank], arguments[Self.energy]) {
        case let (rank?, nil): selection = .rank(rank)
        case let (nil, energy?): selection = .energy(Double(energy))
        default: throw UsageError.needsExactlyOne(of: ["--rank R", "--energy E"], command: command)
        }
        CommonOptions.applyThreads(arguments)
        let (entry, original) = try CommonOptions.loadModel(arguments, catalog: catalog, command: command)
        let output = try DistributedRun(arguments, defaultName: "decompose-\(entry.name)", inputs: [arguments[CommonOptions.checkpoint]])
        defer { output.release() }
        let folder = output.url
        let context = CommonOptions.context(arguments, experiment: "decompose", model: entry, run: output, console: console)
        let data = try CommonOptions.imageData(arguments, for: entry, shard: try context.shard)
        try context.finishStage("loaded", model: original, data: data, save: false)

        let (_, model) = try CommonOptions.loadModel(arguments, catalog: catalog, command: command)
        let kept = try decompose(model, layer: layer, selection, convForm: arguments[Self.separable] ? .spatialSeparable : .filterBasis)
        context.console.diagnostics.write("\(layer): rank \(kept.rank) of \(kept.maximumRank), \(HumanReadable.percent(100 * kept.energyKept)) of Σσ² kept\n")
        let speed = { try compareInferenceSpeed(model, against: original, inputShape: data.imageShape) }
        let epochs = arguments[Self.finetuneEpochs]
        try context.finishStage("decomposed", model: model, data: data, speed: try speed(), save: epochs == 0, as: "model")
        if epochs > 0 {
            GlobalRandom.seed(context.seed)
            let optimizer = SGD(model.parameters, lr: arguments[Self.learningRate], momentum: 0.9)
            try optimizer.holdZeros(of: model)
            try context.train(model, optimizer: optimizer, data: data, epochs: epochs, stage: "finetuned")
            try context.finishStage("finetuned", model: model, data: data, speed: try speed(), as: "model")
        }
        if !context.json {
            context.console.output.write(StageResult.table(context.results).renderPlainText()
                                 + "\n\(layer): rank \(kept.rank) of \(kept.maximumRank), \(HumanReadable.percent(100 * kept.energyKept)) of Σσ² kept; "
                                 + "wrote \(folder.path)/model.safetensors\n")
        }
        output.finish()
    }
}
