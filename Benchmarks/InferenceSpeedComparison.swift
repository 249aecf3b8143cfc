import Foundation
import Swiftlet
import SwiftletKernels

/// Inference speed of a compressed model beside its reference, measured alternately in the
/// same moment so that a shared machine's load affects both alike — what "inference time
/// drops in proportion to FLOPs" is checked against.
public struct InferenceSpeedComparison {
    /// Forward at `batch` without a graph, images per second (best round).
    public let imagesPerSecond: Double
    public let referenceImagesPerSecond: Double
    /// Dense FLOPs per image (zero weights counted: the dense kernels do not skip them).
    public let flops: Int
    public let referenceFlops: Int

    /// How many times faster than the reference.
    public var speedup: Double { imagesPerSecond / referenceImagesPerSecond }
    /// How many times fewer dense FLOPs than the reference.
    public var flopReduction: Double { Double(referenceFlops) / Double(max(flops, 1)) }
}

/// Times `model` and `reference` on the same random batch, alternating for `rounds` rounds of
/// about `seconds` each, and keeps each one's best round (the one least disturbed by other
/// processes). Both run in evaluation mode; their previous modes are restored.
public func compareInferenceSpeed(_ model: Module, against reference: Module, inputShape: [Int], batch: Int = 64,
                                  rounds: Int = 5, seconds: Double = 0.3) throws -> InferenceSpeedComparison {
    try withEvaluationMode([model, reference]) {
        try compareInferenceSpeed({ input in _ = try withNoGrad { try model(input) } }, against: { input in _ = try withNoGrad { try reference(input) } },
                                  inputShape: inputShape, batch: batch, rounds: rounds, seconds: seconds,
                                  flops: try ModelFootprint(of: model, inputShape: inputShape).flops,
                                  referenceFlops: try ModelFootprint(of: reference, inputShape: inputShape).flops)
    }
}

/// The same for any two ways of running a batch (an int8 engine against the float model it
/// was compiled from), with their FLOPs per image as given.
public func compareInferenceSpeed(_ run: (Tensor) throws -> Void, against reference: (Tensor) throws -> Void, inputShape: [Int],
                                  batch: Int = 64, rounds: Int = 5, seconds: Double = 0.3, flops: Int,
                                  referenceFlops: Int) throws -> InferenceSpeedComparison {
    var generator = SeededRandom(seed: 0)
    let input = Tensor.normal([batch] + inputShape, generator: &generator)
    var best = (model: Double.infinity, reference: Double.infinity)
    for _ in 0..<rounds {
        best.model = min(best.model, try secondsPerRun(seconds) { try run(input) })
        best.reference = min(best.reference, try secondsPerRun(seconds) { try reference(input) })
    }
    return InferenceSpeedComparison(imagesPerSecond: Double(batch) / best.model, referenceImagesPerSecond: Double(batch) / best.reference,
                                    flops: flops, referenceFlops: referenceFlops)
}

private func withEvaluationMode<R>(_ models: [Module], _ body: () throws -> R) rethrows -> R {
    let wasTraining = models.map(\.isTraining)
    models.forEach { $0.eval() }
    defer { for (model, training) in zip(models, wasTraining) where training { model.train() } }
    return try body()
}
