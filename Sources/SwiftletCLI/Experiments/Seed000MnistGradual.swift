import Datasets
import Swiftlet

/// seed000-mnist-gradual: the classic MNIST net trained with the seed-000 recipe (SGD lr
/// 0.01, momentum 0.9, batch 64, 10 epochs, mean/std 0.5), then pruned gradually to 90 %
/// with Zhu & Gupta's automated gradual pruning (AGP) instead of in one shot.
///
/// The schedule, fixed before any run: 15 epochs of pruning and retraining with a fresh
/// SGD (lr 0.01, momentum 0.9) annealed to 0 by a cosine; AGP from 0 to 90 % at the start
/// of epochs 1 … 8 (n = 7 intervals of one epoch, s_t = 0.9·(1 − (1 − t/7)³)), then 7
/// epochs at 90 % to recover. The ranking is global magnitude: one threshold across layers,
/// so the 250-weight conv1 is not forced to lose as much as the 16,000-weight fc1.
struct Seed000MnistGradual: Experiment {
    let id = "seed000-mnist-gradual"
    let summary = "MNIST net: train 10 epochs → automated gradual pruning to 90 % (global magnitude) over 15 epochs"
    let finalSparsity: Float = 0.9
    let corrections: [String] = []

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let model = try context.trainModel("mnist-net", data: data, epochs: context.epochs(default: 10), stage: "trained")

        // At least two epochs, so that the final sparsity is reached and trained once.
        let epochs = max(context.epochs(default: 15), 2)
        let schedule = try GradualPruningSchedule(finalSparsity: finalSparsity, intervals: max((epochs - 1) / 2, 1))
        let pruner = SGD(model.parameters, lr: 0.01, momentum: 0.9)
        try context.pruneGradually(model, optimizer: pruner, data: data, schedule: schedule, epochs: epochs,
                                   target: SparsityTarget.global, label: "agp", finalStage: "pruned",
                                   learningRates: LearningRateSchedule(pruner, .cosine(tMax: epochs, minimum: 0)))
        return context.results
    }
}
