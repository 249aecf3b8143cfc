import Datasets
import Swiftlet

/// seed002-regularized-prune: the classic MNIST net trained 5 epochs (SGD lr 0.01, momentum
/// 0.9, batch 64, mean/std 0.5) three ways — plain, with an L1 penalty 1e-4·Σ|w|, with an
/// L2 penalty 5e-4·Σw² (PyTorch weight_decay 1e-3) on the Linear and Conv2d weights — then
/// each pruned at θ = mean |w| of each tensor and fine-tuned 2 epochs without the penalty,
/// masks held. The plain run shows what the penalties change.
struct Seed002RegularizedPrune: Experiment {
    let id = "seed002-regularized-prune"
    let summary = "MNIST net: plain / L1 / L2-regularised training → prune θ = mean|w| → fine-tune 2 epochs"
    let corrections: [String] = []

    private struct Variant {
        let name: String
        let penalty: (@Sendable (Module) -> Tensor)?
    }

    private let variants = [
        Variant(name: "plain", penalty: nil),
        Variant(name: "l1", penalty: { 1e-4 * l1Penalty($0) }),
        Variant(name: "l2", penalty: { 5e-4 * l2Penalty($0) }),
    ]

    /// One line per regularizer: `l1-trained` → `l1-pruned` → `l1-finetuned`.
    func series(ofStage stage: String) -> String { String(stage.prefix { $0 != "-" }) }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        for variant in variants {
            GlobalRandom.seed(context.seed)
            let model = try ModelZoo.entry("mnist-net").make()
            let loss: ((Tensor, LabeledBatch) throws -> Tensor)? = variant.penalty.map { penalty in
                { logits, batch in try crossEntropy(logits, batch.labels) + penalty(model) }
            }
            try context.train(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9), data: data,
                              epochs: context.epochs(default: 5), stage: "\(variant.name)-trained", loss: loss)
            try context.finishStage("\(variant.name)-trained", model: model, data: data)

            let masks = try pruneByMagnitude(model, .meanAbsolute)
            try context.finishStage("\(variant.name)-pruned", model: model, data: data, save: false)
            let optimizer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
            try masks.apply(to: optimizer)
            try context.train(model, optimizer: optimizer, data: data, epochs: context.epochs(default: 2), stage: "\(variant.name)-finetuned")
            try context.finishStage("\(variant.name)-finetuned", model: model, data: data)
        }
        return context.results
    }
}
