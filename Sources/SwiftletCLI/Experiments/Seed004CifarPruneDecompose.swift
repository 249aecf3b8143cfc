import Datasets
import Swiftlet
import SwiftletBenchmarks

/// seed004-cifar-prune-decompose: the document's SimpleCNN (conv 3→16→32, fc 1152→120→84→10),
/// trained 10 epochs (SGD lr 0.01, momentum 0.9, batch 64), then compressed three ways from
/// the trained weights, each followed by 1 epoch of fine-tuning with the same optimizer
/// settings: threshold pruning at |w| < 0.1 (masks kept while fine-tuning); fc1 replaced by
/// its rank-16 SVD (PyTorch, same recipe and data: 66.54 % → 60.76 % → 65.79 %), fine-tuned
/// also at lr 0.001 (added after lr 0.01 ended 2.8 pp below the trained model here); and, on
/// top of the rank-16 model fine-tuned at lr 0.01, conv2 factorised into 8 filters followed
/// by a 1×1 conv.
/// Every stage's inference speed is measured beside the trained model's (batch 64,
/// alternating) and set against its dense-FLOP reduction.
struct Seed004CifarPruneDecompose: Experiment {
    let id = "seed004-cifar-prune-decompose"
    let summary = "SimpleCNN: prune |w| < 0.1, fc1 → rank-16 SVD, conv2 → 8 filters + 1×1; 1-epoch fine-tunes; accuracy, FLOPs and speed"
    let defaultEpochs = 10
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "trained", accuracy: 66.54, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "fc1-rank16", accuracy: 60.76, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "fc1-rank16-finetuned", accuracy: 65.79, source: "PyTorch, same recipe and data (1 epoch)"),
    ]

    /// One line per branch: pruned → fine-tuned, fc1 rank 16 → fine-tuned → lower rate, conv2 rank 8 → fine-tuned.
    func series(ofStage stage: String) -> String { String(stage.prefix { $0 != "-" }) }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("cifar10", normalization: CommonOptions.normalization(forChannels: 3))
        let entry = try ModelZoo.entry("cifar-simplecnn")
        let trained = try context.trainModel(entry.name, data: data, epochs: context.epochs(default: defaultEpochs), stage: "trained")
        let measure = { (model: Module) in try compareInferenceSpeed(model, against: trained, inputShape: data.imageShape) }

        let pruned = try copy(trained, entry)
        let masks = try pruneByMagnitude(pruned, .fixed(0.1))
        try context.finishStage("pruned", model: pruned, data: data, speed: try measure(pruned))
        let pruneTuner = sgd(pruned)
        try masks.apply(to: pruneTuner)
        try fineTune(pruned, optimizer: pruneTuner, stage: "pruned-finetuned", context, data: data, measure)

        let lowRank = try copy(trained, entry)
        try decompose(lowRank, layer: "fc1", .rank(16))
        try context.finishStage("fc1-rank16", model: lowRank, data: data, speed: try measure(lowRank))
        try fineTune(lowRank, optimizer: sgd(lowRank), stage: "fc1-rank16-finetuned", context, data: data, measure)
        // Fine-tuning at a tenth of the training rate, the usual practice, beside the training rate itself.
        let gentlyTuned = try copy(trained, entry)
        try decompose(gentlyTuned, layer: "fc1", .rank(16))
        try fineTune(gentlyTuned, optimizer: sgd(gentlyTuned, lr: 0.001), stage: "fc1-rank16-finetuned-lr0.001", context, data: data, measure)

        try decompose(lowRank, layer: "conv2", .rank(8))
        try context.finishStage("conv2-rank8", model: lowRank, data: data, speed: try measure(lowRank))
        try fineTune(lowRank, optimizer: sgd(lowRank), stage: "conv2-rank8-finetuned", context, data: data, measure)
        return context.results
    }

    private func sgd(_ model: Module, lr: Float = 0.01) -> SGD { SGD(model.parameters, lr: lr, momentum: 0.9) }

    private func fineTune(_ model: Module, optimizer: Optimizer, stage: String, _ context: ExperimentContext, data: ImageData,
                          _ measure: (Module) throws -> InferenceSpeedComparison) throws {
        GlobalRandom.seed(context.seed)
        try context.train(model, optimizer: optimizer, data: data, epochs: 1, stage: stage)
        try context.finishStage(stage, model: model, data: data, speed: try measure(model))
    }

    /// A second model of `entry`'s architecture with `model`'s weights.
    private func copy(_ model: Module, _ entry: ModelZoo.Entry) throws -> Module {
        let copy = entry.make()
        try copy.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor) }))
        return copy
    }
}
