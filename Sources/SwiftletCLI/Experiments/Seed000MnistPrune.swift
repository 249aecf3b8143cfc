import Datasets
import Swiftlet

/// seed000-mnist-prune: the classic MNIST net trained with the document's recipe
/// (SGD lr 0.01, momentum 0.9, batch 64, 10 epochs, inputs normalised with mean 0.5 /
/// std 0.5), every weight tensor pruned at θ = mean |w| of that tensor, then retrained
/// 10 epochs with the masks held by the optimizer.
///
/// Correction to the document: its sample code retrains without re-applying the masks,
/// so pruned weights grow back; here the optimizer masks gradients, momentum buffers and
/// weights, and pruned weights stay exactly zero.
struct Seed000MnistPrune: Experiment {
    let id = "seed000-mnist-prune"
    let summary = "MNIST net: train 10 epochs → prune θ = mean|w| per tensor → retrain 10 epochs with masks kept"
    let defaultEpochs = 10
    let corrections = [
        "The document's sample code retrains without re-applying the pruning masks, so pruned weights grow back. "
            + "Here the optimizer masks gradients, momentum buffers and weights: pruned weights stay exactly zero through retraining.",
    ]
    let references = [
        ReferenceFigure(stage: "trained", accuracy: 99.16, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "pruned", accuracy: 97.59, source: "PyTorch, same recipe and data"),
        ReferenceFigure(stage: "retrained", accuracy: 99.01, source: "PyTorch, same recipe and data"),
    ]

    /// One pipeline: trained → pruned → retrained.
    func series(ofStage stage: String) -> String { "prune → retrain" }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let epochs = context.epochs(default: defaultEpochs)
        let model = try context.trainModel("mnist-net", data: data, epochs: epochs, stage: "trained")

        let masks = try pruneByMagnitude(model, .meanAbsolute)
        try context.finishStage("pruned", model: model, data: data)

        // A fresh optimizer, as the document retrains; the masks keep pruned weights at zero.
        let retrainer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
        try masks.apply(to: retrainer)
        try context.train(model, optimizer: retrainer, data: data, epochs: epochs, stage: "retrained")
        try context.finishStage("retrained", model: model, data: data)
        return context.results
    }
}
