import Datasets
import Swiftlet

/// seed001-cifar-prune: the seed-001 CIFAR-10 net (conv 3→32, conv 32→64, fc 2304→128→10)
/// trained 10 epochs (Adam lr 1e-3, batch 64), then pruned to the same 80 % of every weight
/// tensor by three rankings — a random mask (the documents' baseline), magnitude |w|, and
/// importance: the first-order loss change |w·∂L/∂w| (Taylor) over 10 training batches —
/// and each retrained 2 epochs (Adam lr 1e-3, masks held) from the same trained weights.
struct Seed001CifarPrune: Experiment {
    let id = "seed001-cifar-prune"
    let summary = "CIFAR-10 net: random vs magnitude vs Taylor-importance pruning at 80 % per layer, each retrained 2 epochs"
    let sparsity: Float = 0.8
    let corrections = [
        "The document's fc1 takes 64·16·16 inputs; two unpadded 3×3 convolutions and two 2×2 pools leave 64·6·6 = 2304, which is what fc1 takes here.",
    ]

    /// One line per criterion: `taylor-pruned` → `taylor-retrained`.
    func series(ofStage stage: String) -> String { String(stage.prefix { $0 != "-" }) }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("cifar10", normalization: CommonOptions.normalization(forChannels: 3))
        GlobalRandom.seed(context.seed)
        let model = try ModelZoo.entry("cifar-teacher").make()
        try context.train(model, optimizer: Adam(model.parameters, lr: 1e-3), data: data,
                          epochs: context.epochs(default: 10), stage: "trained")
        try context.finishStage("trained", model: model, data: data)

        let trained = model.stateDict.map(\.tensor.scalars)
        let importanceBatches = data.sampleBatches(10)
        let criteria: [(name: String, criterion: PruningCriterion)] = [
            ("random", .random(seed: context.seed)), ("magnitude", .magnitude), ("taylor", .taylor(importanceBatches)),
        ]
        for (name, criterion) in criteria {
            for ((_, tensor), scalars) in zip(model.stateDict, trained) { tensor.scalars = scalars }
            let masks = try prune(model, by: criterion, .uniform(sparsity))
            try context.finishStage("\(name)-pruned", model: model, data: data, save: false)
            let optimizer = Adam(model.parameters, lr: 1e-3)
            try masks.apply(to: optimizer)
            try context.train(model, optimizer: optimizer, data: data, epochs: context.epochs(default: 2), stage: "\(name)-retrained")
            try context.finishStage("\(name)-retrained", model: model, data: data)
        }
        return context.results
    }
}
