import Datasets
import Swiftlet

/// cifar-vgg-compress: the stronger CIFAR-10 baseline the reproduction issue asks for, so
/// compression is also shown on a model worth compressing. `cifar-vgg` (3 × two 3×3 convs
/// with BatchNorm, 32-64-128 channels, dropout, fc 2048→10) trained with random crops and
/// flips, SGD lr 0.05, momentum 0.9, weight decay 5e-4, batch 128, cosine annealing over 50
/// epochs (30 gave 83.68 % here and 84.27 % in PyTorch, short of the 85 %); then
///
/// - `ptq-w8a8`: BatchNorm folded into the convolutions, 8-bit symmetric per-channel
///   weights and 8-bit activations calibrated on 1,024 training images, evaluated through
///   the integer-only int8 engine (`finishInt8Stage`);
/// - `pruned-70`: 70 % of all conv and fc weights removed by one global magnitude
///   threshold, retrained 10 epochs (lr 0.01, cosine) with the masks held;
/// - `pruned-70-w8a8`: the pruned model quantized the same way.
struct CifarVGGCompress: Experiment {
    let id = "cifar-vgg-compress"
    let summary = "VGG-style CIFAR-10 net with BatchNorm + augmentation: train 50 epochs → int8 PTQ → 70 % global pruning + retrain → int8"
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "trained", accuracy: 84.27, source: "PyTorch, same data and recipe but 30 epochs (Benchmarks/peer/cifar_vgg_reference.py, one run)"),
        ReferenceFigure(stage: "trained", accuracy: 85, source: "the reproduction issue's target, ≥ 85 %"),
        ReferenceFigure(stage: "ptq-w8a8", accuracy: 84, source: "the reproduction issue's target, ≥ 84 % after 8-bit quantization"),
        ReferenceFigure(stage: "pruned-70", accuracy: 84, source: "the reproduction issue's target, ≥ 84 % after 70 % pruning"),
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("cifar10", normalization: CommonOptions.normalization(forChannels: 3),
                                          augmentation: .cifar10, batchSize: 128)
        GlobalRandom.seed(context.seed)
        let model = try ModelZoo.entry("cifar-vgg").make()
        let epochs = context.epochs(default: 50)
        let optimizer = SGD(model.parameters, lr: 0.05, momentum: 0.9, weightDecay: 5e-4)
        try context.train(model, optimizer: optimizer, data: data, epochs: epochs, stage: "trained",
                          schedule: LearningRateSchedule(optimizer, .cosine(tMax: epochs, minimum: 0)))
        try context.finishStage("trained", model: model, data: data)
        try context.finishInt8Stage("ptq-w8a8", model: model, data: data)

        let masks = try pruneByMagnitude(model, .globalSparsity(0.7))
        let retrainEpochs = context.epochs(default: 10)
        let retrainer = SGD(model.parameters, lr: 0.01, momentum: 0.9, weightDecay: 5e-4)
        try masks.apply(to: retrainer)
        try context.train(model, optimizer: retrainer, data: data, epochs: retrainEpochs, stage: "pruned-70",
                          schedule: LearningRateSchedule(retrainer, .cosine(tMax: retrainEpochs, minimum: 0)))
        try context.finishStage("pruned-70", model: model, data: data)
        try context.finishInt8Stage("pruned-70-w8a8", model: model, data: data)
        return context.results
    }
}
