import Foundation
import Swiftlet
import SwiftletKernels

/// Cost and speed of a built-in model with one layer factorised at one rank (or not at all).
public struct DecompositionMeasurement {
    public let model: String
    public let layer: String
    /// nil for the original model.
    public let rank: Int?
    public let parameters: Int
    /// Per image, dense.
    public let flops: Int
    public let threads: Int
    public let batch: Int
    /// Forward only without a graph, images per second.
    public let inferImagesPerSecond: Double
    /// Forward of one image, microseconds.
    public let latencyMicroseconds: Double

    public var jsonLine: String {
        #"{"bench": "decompose", "model": "\#(model)", "layer": "\#(layer)", "rank": \#(rank.map(String.init) ?? "null"), "params": \#(parameters), "flops": \#(flops), "threads": \#(threads), "batch": \#(batch), "img_per_s": \#(Int(inferImagesPerSecond.rounded())), "latency_us": \#(String(format: "%.1f", latencyMicroseconds))}"#
    }
}

/// Measures the ModelZoo model `name` as built, then with `layer` factorised at each of
/// `ranks` (a fresh model each time, seed 0, random weights: speed does not depend on them).
/// Each speed is the mean over runs filling about `seconds`, after two warm-up runs.
public func measureDecomposition(
    _ name: String, layer: String, ranks: [Int], convForm: ConvFactorization = .filterBasis,
    threads: Int, batch: Int = 64, seconds: Double = 1
) throws -> [DecompositionMeasurement] {
    try Parallel.withThreads(threads) {
        let entry = try ModelZoo.entry(name)
        let x = Tensor.normal([batch] + entry.inputShape), one = Tensor.normal([1] + entry.inputShape)
        return try ([nil] + ranks.map { Optional($0) }).map { rank in
            GlobalRandom.seed(0)
            let model = entry.make()
            if let rank { try decompose(model, layer: layer, .rank(rank), convForm: convForm) }
            model.eval()
            let footprint = try ModelFootprint(of: model, inputShape: entry.inputShape)
            let infer = try secondsPerRun(seconds) { _ = try withNoGrad { try model(x) } }
            let latency = try secondsPerRun(seconds / 2) { _ = try withNoGrad { try model(one) } }
            return DecompositionMeasurement(model: name, layer: layer, rank: rank, parameters: footprint.parameters, flops: footprint.flops,
                                            threads: threads, batch: batch, inferImagesPerSecond: Double(batch) / infer,
                                            latencyMicroseconds: latency * 1e6)
        }
    }
}
