import Foundation

/// One labelled mini-batch: images [N, C, H, W] and their class indices.
public struct LabeledBatch {
    /// [N, C, H, W], normalised as the model expects.
    public let images: Tensor
    /// N class indices, one per image.
    public let labels: [Int]

    /// A batch of `images` with their `labels`; Datasets builds these from its own batches.
    public init(images: Tensor, labels: [Int]) {
        self.images = images
        self.labels = labels
    }
}

/// Where an epoch stands, after each batch — what a progress bar shows.
public struct BatchProgress: Sendable {
    /// 1-based number of the batch just finished.
    public let batch: Int
    /// Batches in the epoch.
    public let batchCount: Int
    /// Images in the batch just finished.
    public let batchImages: Int
    /// Mean loss over the batches so far.
    public let loss: Double
    /// Percentage of correctly classified training images so far.
    public let accuracy: Double
    /// Throughput so far this epoch.
    public let imagesPerSecond: Double
    /// Time since the epoch began.
    public let elapsedSeconds: Double
}

/// Loss, accuracy and time of a finished pass over a dataset.
public struct EpochResult: Sendable {
    /// Mean loss over the batches.
    public let loss: Double
    /// Percentage of correct top-1 predictions.
    public let accuracy: Double
    /// Images seen.
    public let images: Int
    /// Wall-clock duration of the pass.
    public let seconds: Double

    /// A result measured another way, e.g. a validation score for `Trainer.fit`.
    public init(loss: Double, accuracy: Double, images: Int, seconds: Double) {
        self.loss = loss
        self.accuracy = accuracy
        self.images = images
        self.seconds = seconds
    }

    /// Throughput of the pass (forward, and backward when training).
    public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }
}

/// One epoch of mini-batch training: forward, loss, backward, optimizer step.
///
/// - Parameters:
///   - model: the model to train; it is put in training mode.
///   - optimizer: steps the model's parameters after every batch.
///   - batches: the epoch's batches, in order.
///   - loss: the training objective from logits and labels (cross-entropy by default);
///     distillation and regularisation pass their own.
///   - batchCount: how many batches `batches` yields, for the progress report.
///   - beforeBatch: called before every batch's forward pass, e.g. a `ScheduledPruner`'s
///     `advance` to prune every so many optimizer steps.
///   - maxGradientNorm: when given, gradients are clipped to this joint L2 norm before each
///     step (`clipGradientNorm(_:maxNorm:)`).
///   - dataParallel: with data-parallel training, averages every gradient across ranks
///     between backward and the optimizer step (started during backward), before the checks
///     and the clipping; `batches` must then be this rank's shard, and the progress figures are this rank's.
///   - afterStep: called right after every optimizer step, e.g. a per-step learning-rate schedule.
///   - progress: called after every batch.
/// - Throws: `TrainingDivergence` as soon as a batch's loss or a gradient is NaN or infinite,
///   before that step changes the weights.
public func trainEpoch<Batches: Sequence>(
    _ model: Module, optimizer: Optimizer, batches: Batches, batchCount: Int,
    loss: (_ logits: Tensor, _ batch: LabeledBatch) throws -> Tensor = { try crossEntropy($0, $1.labels) },
    beforeBatch: () throws -> Void = {}, maxGradientNorm: Float? = nil, dataParallel: DataParallel? = nil,
    afterStep: () throws -> Void = {},
    progress: (BatchProgress) -> Void = { _ in }
) throws -> EpochResult where Batches.Element == LabeledBatch {
    model.train()
    let start = Date()
    var totalLoss = 0.0, correct = 0, seen = 0, index = 0
    for batch in batches {
        try beforeBatch()
        let logits = try model(batch.images)
        let value = try loss(logits, batch)
        let lossValue = try value.item
        index += 1
        guard lossValue.isFinite else {
            throw TrainingDivergence(.loss(lossValue), step: index, learningRate: optimizer.learningRate)
        }
        optimizer.zeroGrad()
        try value.backward(afterLeafGradient: dataParallel?.gradientReady)
        try dataParallel?.averageGradients()
        if let parameter = optimizer.nonFiniteGradient(in: model) {
            throw TrainingDivergence(.gradient(parameter: parameter), step: index, learningRate: optimizer.learningRate)
        }
        if let maxGradientNorm { clipGradientNorm(optimizer.parameters, maxNorm: maxGradientNorm) }
        optimizer.step()
        try afterStep()
        totalLoss += Double(lossValue)
        correct += countCorrect(logits, batch.labels)
        seen += batch.labels.count
        let elapsed = Date().timeIntervalSince(start)
        progress(BatchProgress(batch: index, batchCount: batchCount, batchImages: batch.labels.count, loss: totalLoss / Double(index),
                               accuracy: 100 * Double(correct) / Double(seen),
                               imagesPerSecond: Double(seen) / max(elapsed, 1e-9), elapsedSeconds: elapsed))
    }
    return EpochResult(loss: totalLoss / Double(max(index, 1)), accuracy: 100 * Double(correct) / Double(max(seen, 1)),
                       images: seen, seconds: Date().timeIntervalSince(start))
}

/// Mean cross-entropy and top-1 accuracy of `model` in evaluation mode, without recording
/// a graph. The model's previous mode is restored.
public func evaluate<Batches: Sequence>(_ model: Module, batches: Batches) throws -> EpochResult
where Batches.Element == LabeledBatch {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    return try withNoGrad { try evaluateLogits(batches, model.callAsFunction) }
}

/// Mean cross-entropy and top-1 accuracy of an integer-only model: what `swiftlet evaluate`
/// reports for a quantized checkpoint with 8-bit activations.
public func evaluate<Batches: Sequence>(_ model: Int8InferenceModel, batches: Batches) throws -> EpochResult
where Batches.Element == LabeledBatch {
    try withNoGrad { try evaluateLogits(batches) { try model($0) } }
}

private func evaluateLogits<Batches: Sequence>(_ batches: Batches, _ forward: (Tensor) throws -> Tensor) throws -> EpochResult
where Batches.Element == LabeledBatch {
    let start = Date()
    var totalLoss = 0.0, correct = 0, seen = 0
    for batch in batches {
        let logits = try forward(batch.images)
        totalLoss += Double(try crossEntropy(logits, batch.labels).item) * Double(batch.labels.count)
        correct += countCorrect(logits, batch.labels)
        seen += batch.labels.count
    }
    return EpochResult(loss: totalLoss / Double(max(seen, 1)), accuracy: 100 * Double(correct) / Double(max(seen, 1)),
                       images: seen, seconds: Date().timeIntervalSince(start))
}

/// The index of the largest logit in each row.
public func predictedClasses(_ logits: Tensor) -> [Int] {
    let classes = logits.shape.last ?? 1
    return (0..<(logits.count / max(classes, 1))).map { row in
        var best = 0
        for c in 1..<classes where logits.scalars[row * classes + c] > logits.scalars[row * classes + best] { best = c }
        return best
    }
}

private func countCorrect(_ logits: Tensor, _ labels: [Int]) -> Int {
    zip(predictedClasses(logits), labels).filter { $0 == $1 }.count
}
