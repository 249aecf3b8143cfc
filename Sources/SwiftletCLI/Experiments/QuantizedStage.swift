import Foundation
import Swiftlet

extension ExperimentContext {
    /// Ends a stage of a model prepared by `prepareQuantization`: stores it as a
    /// `QuantizedCheckpoint` in `<out>/<checkpointName or stage>.safetensors` (unless `save`
    /// is false), reports its exact stored bytes and weight bits, and its test accuracy as
    /// `evaluateQuantized` measures it. With `sparseCodes`, weights are stored in the smallest
    /// `SparseCodeLayout` (pruned weights left out).
    @discardableResult
    func finishQuantizedStage(_ stage: String, model: Module, data: ImageData, save: Bool = true,
                              as checkpointName: String? = nil, sparseCodes: Bool = false) throws -> StageResult {
        let checkpoint = try QuantizedCheckpoint(model: model, sparseCodes: sparseCodes)
        if save && isRoot {
            try checkpoint.write(to: outputDirectory.appendingPathComponent("\(checkpointName ?? stage).safetensors"),
                                 metadata: checkpointMetadata(stage: stage))
        }
        let evaluation = try evaluateQuantized(model, data: data)
        return try finishStage(stage, model: model, data: data, evaluation: evaluation, bits: model.quantizedWeightBits,
                               storedBytes: checkpoint.byteCount, save: false)
    }

    /// The fp32 starting point of the quantization experiments: `modelName` trained with the
    /// seed recipe (SGD lr 0.01, momentum 0.9, 10 epochs unless `--epochs`), finished as stage `fp32`.
    func trainBaseline(_ modelName: String, data: ImageData) throws -> (ModelZoo.Entry, Module) {
        (try catalog.model(modelName), try trainModel(modelName, data: data, epochs: epochs(default: 10), stage: "fp32"))
    }

    /// Quantizes a copy of `trained` to `weights`, finishes it as `ptqStage` when one is named,
    /// retrains it `epochs` epochs (recipe; `--epochs` overrides) with fake quantization at
    /// lr 0.01, and finishes it as `stage`.
    func quantizeAndRetrain(_ trained: Module, entry: ModelZoo.Entry, weights: QuantizationFormat, data: ImageData,
                            ptqStage: String? = nil, epochs recipe: Int, stage: String) throws {
        let model = try quantizedCopy(of: trained, entry: entry, weights: weights, data: data)
        if let ptqStage { try finishQuantizedStage(ptqStage, model: model, data: data) }
        try retrainQuantized(model, data: data, epochs: epochs(default: recipe), learningRate: 0.01, stage: stage)
        try finishQuantizedStage(stage, model: model, data: data)
    }

    /// A fresh instance of `entry` with the weights of `trained` (left as it is), prepared for
    /// `weights` and, with `activations`, 8-bit asymmetric input quantization calibrated on
    /// `calibrationImages` training images.
    func quantizedCopy(of trained: Module, entry: ModelZoo.Entry, weights: QuantizationFormat, activations: Bool = false,
                       calibrationImages: Int = 1024, data: ImageData) throws -> Module {
        let model = entry.make()
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: trained.stateDict.map { ($0.name, $0.tensor) }))
        try prepareQuantization(model, weights: weights, activations: activations ? .int8Activations : nil)
        if activations { try calibrate(model, data: data, images: calibrationImages) }
        return model
    }

    /// Quantization-aware training of a prepared model: SGD with momentum 0.9 on the float
    /// shadow weights through fake quantization (straight-through estimator), pruned (zero)
    /// weights held at zero, activation observers following the activations, frozen again afterwards.
    ///
    /// - Parameters:
    ///   - annealed: the learning rate follows a cosine from `learningRate` to 0 over `epochs`.
    ///   - gradualPruning: prunes while training, along Zhu & Gupta's cubic from fraction 0 to
    ///     fraction 1 of `target` over its first `epochs` epochs, every 50 optimizer steps;
    ///     masks only grow and are held to the end.
    func retrainQuantized(_ model: Module, data: ImageData, epochs: Int, learningRate: Float, stage: String, annealed: Bool = false,
                          gradualPruning: (epochs: Int, target: (Float) -> SparsityTarget)? = nil) throws {
        GlobalRandom.seed(seed)
        model.setActivationQuantization(observing: true)
        let optimizer = SGD(model.parameters, lr: learningRate, momentum: 0.9)
        let zeros = PruningMasks(zerosOf: model)
        try zeros.apply(to: optimizer)
        let pruning = try gradualPruning.map { gradual in
            let schedule = try GradualPruningSchedule(finalSparsity: 1, every: 50, overEpochs: gradual.epochs, of: data)
            return ScheduledPruning(try ScheduledPruner(model, optimizer: optimizer, schedule: schedule, target: gradual.target, masks: zeros),
                                    every: .step)
        }
        try train(model, optimizer: optimizer, data: data, epochs: epochs, stage: stage,
                  schedule: annealed ? LearningRateSchedule(optimizer, .cosine(tMax: epochs, minimum: 0)) : nil, callbacks: pruning.map { [$0] } ?? [])
        model.setActivationQuantization(observing: false)
    }

    /// Calibrates the activation observers of a prepared model on the first `images` training
    /// images (in batches, no augmentation beyond the recipe's), then freezes them.
    func calibrate(_ model: Module, data: ImageData, images: Int) throws {
        try calibrateQuantization(model, batches: data.calibrationBatches(images: images))
    }

    /// Ends a stage run through the int8 engine compiled from the float `model` (any model):
    /// BatchNorm folded into the convolutions, 8-bit symmetric per-channel weights, and 8-bit
    /// activation grids calibrated on the first `calibrationImages` training images; reports
    /// the bytes the engine's weights, scales and biases take. Returns the engine too.
    @discardableResult
    public func finishInt8Stage(_ stage: String, model: Module, data: ImageData, calibrationImages: Int = 1024) throws -> (StageResult, Int8InferenceModel) {
        let engine = try Int8InferenceModel(model, inputShape: data.imageShape, calibration: data.calibrationBatches(images: calibrationImages))
        let evaluation = try Swiftlet.evaluate(engine, batches: data.testBatches())
        let result = try finishStage(stage, model: model, data: data, evaluation: evaluation, bits: 8, storedBytes: engine.storedBytes, save: false)
        return (result, engine)
    }
}

/// Test accuracy of a model prepared by `prepareQuantization`: through the integer pipeline
/// (`Int8InferenceModel`) when every quantized layer's input is quantized to 8 bits, so
/// the figure is what int8 inference delivers; otherwise (weight-only quantization) the
/// float forward pass with the weights at their quantized values. The int8 tensors that no
/// layer's input quantizer covers (a residual add's result) take their grids from the first
/// 1,024 training images.
func evaluateQuantized(_ model: Module, data: ImageData) throws -> EpochResult {
    let layers = model.quantizedLayers
    let integerOnly = !layers.isEmpty && layers.allSatisfy { $0.layer.quantization?.inputQuantizer?.scheme.bits == 8 }
    guard integerOnly else { return try evaluate(model, batches: data.testBatches()) }
    let engine = try Int8InferenceModel(model, inputShape: data.imageShape, calibration: data.calibrationBatches(images: 1024))
    return try evaluate(engine, batches: data.testBatches())
}

extension Module {
    /// The widest stored weight format among the quantized layers, in bits; nil if none.
    var quantizedWeightBits: Int? { quantizedLayers.compactMap { $0.layer.quantization?.weightFormat.bitsPerCode }.max() }
}
