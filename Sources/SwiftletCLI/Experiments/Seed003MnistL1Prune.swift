import Datasets
import Swiftlet

/// seed003-mnist-l1-prune: the Keras-style MLP Dense(128, relu) → Dense(10) with an L1
/// penalty 1e-4·Σ|w| on both kernels (Keras `l1(1e-4)`), trained 10 epochs with Adam
/// (lr 1e-3, batch 32, pixels in [0, 1], as Keras' defaults and `x / 255`), pruned at
/// |w| < 0.1, then fine-tuned 5 epochs with Adam and without the penalty, masks held.
struct Seed003MnistL1Prune: Experiment {
    let id = "seed003-mnist-l1-prune"
    let summary = "Dense(128) MLP: L1 + Adam 10 epochs → prune |w| < 0.1 → fine-tune 5 epochs"
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "trained", accuracy: 97.08, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "pruned", accuracy: 79.68, source: "PyTorch, same recipe and data (96.8 % sparsity)"),
        ReferenceFigure(stage: "finetuned", accuracy: 97.52, source: "PyTorch, same recipe and data"),
    ]

    /// One pipeline: trained with L1 → pruned → fine-tuned.
    func series(ofStage stage: String) -> String { "L1 → prune → fine-tune" }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .unit(channels: 1), batchSize: 32)
        GlobalRandom.seed(context.seed)
        let model = try ModelZoo.entry("mlp-128").make()
        try context.train(model, optimizer: Adam(model.parameters, lr: 1e-3), data: data, epochs: context.epochs(default: 10),
                          stage: "trained", loss: { logits, batch in try crossEntropy(logits, batch.labels) + 1e-4 * l1Penalty(model) })
        try context.finishStage("trained", model: model, data: data)

        let masks = try pruneByMagnitude(model, .fixed(0.1))
        try context.finishStage("pruned", model: model, data: data)

        let optimizer = Adam(model.parameters, lr: 1e-3)
        try masks.apply(to: optimizer)
        try context.train(model, optimizer: optimizer, data: data, epochs: context.epochs(default: 5), stage: "finetuned")
        try context.finishStage("finetuned", model: model, data: data)
        return context.results
    }
}
