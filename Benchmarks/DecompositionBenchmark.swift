import Foundation
import Swiftlet
import SwiftletKernels

/// One way of factorising a built-in model: each listed layer replaced, in order, by its
/// rank-`rank` factorisation.
public struct DecompositionCase: Sendable {
    public let model: String
    public let layers: [(name: String, rank: Int)]
    public let convForm: ConvFactorization

    public init(_ model: String, _ layers: [(name: String, rank: Int)], convForm: ConvFactorization = .filterBasis) {
        self.model = model
        self.layers = layers
        self.convForm = convForm
    }

    /// "fc1 r16 + conv2 r8", with the conv form when it is not the default filter basis.
    public var label: String {
        layers.map { "\($0.name) r\($0.rank)" }.joined(separator: " + ") + (convForm == .spatialSeparable ? " separable" : "")
    }

    /// What `swiftlet bench --only decompose` measures: the ranks the docs and experiments use
    /// (seed004-cifar-prune-decompose's model is SimpleCNN with fc1 r16 + conv2 r8).
    public static let defaults: [DecompositionCase] = [
        DecompositionCase("lenet300", [("fc1", 50)]),
        DecompositionCase("lenet300", [("fc1", 20)]),
        DecompositionCase("hinton-student", [("fc2", 100)]),
        DecompositionCase("hinton-student", [("fc2", 25)]),
        DecompositionCase("cifar-simplecnn", [("fc1", 16)]),
        DecompositionCase("cifar-simplecnn", [("conv2", 8)]),
        DecompositionCase("cifar-simplecnn", [("conv2", 8)], convForm: .spatialSeparable),
        DecompositionCase("cifar-simplecnn", [("fc1", 16), ("conv2", 8)]),
    ]
}

/// Cost and speed of a built-in model factorised one way, beside the same model undecomposed.
public struct DecompositionMeasurement {
    public let decomposition: DecompositionCase
    public let threads: Int
    public let batch: Int
    public let parameters: Int
    public let referenceParameters: Int
    /// The two models' speeds (measured alternately) and dense FLOPs per image.
    public let speed: InferenceSpeedComparison

    public var jsonLine: String {
        #"{"bench": "decompose", "model": "\#(decomposition.model)", "decomposition": "\#(decomposition.label)", "threads": \#(threads), "batch": \#(batch), "params": \#(parameters), "original_params": \#(referenceParameters), "flops": \#(speed.flops), "original_flops": \#(speed.referenceFlops), "img_per_s": \#(Int(speed.imagesPerSecond.rounded())), "original_img_per_s": \#(Int(speed.referenceImagesPerSecond.rounded())), "flop_ratio": \#(String(format: "%.2f", speed.flopReduction)), "speedup": \#(String(format: "%.2f", speed.speedup))}"#
    }
}

/// Builds `decomposition.model` twice from seed 0 (random weights: speed does not depend on
/// them), factorises one copy, and times both on the same batch alternately
/// (`compareInferenceSpeed`: best of `rounds` rounds of about `seconds` each).
public func measureDecomposition(
    _ decomposition: DecompositionCase, threads: Int, batch: Int = 64, rounds: Int = 5, seconds: Double = 0.3
) throws -> DecompositionMeasurement {
    try Parallel.withThreads(threads) {
        let entry = try ModelZoo.entry(decomposition.model)
        GlobalRandom.seed(0)
        let original = entry.make()
        GlobalRandom.seed(0)
        let model = entry.make()
        for layer in decomposition.layers {
            try decompose(model, layer: layer.name, .rank(layer.rank), convForm: decomposition.convForm)
        }
        let speed = try compareInferenceSpeed(model, against: original, inputShape: entry.inputShape, batch: batch,
                                              rounds: rounds, seconds: seconds)
        return DecompositionMeasurement(
            decomposition: decomposition, threads: threads, batch: batch,
            parameters: try ModelFootprint(of: model, inputShape: entry.inputShape).parameters,
            referenceParameters: try ModelFootprint(of: original, inputShape: entry.inputShape).parameters, speed: speed)
    }
}
