import Foundation
import Swiftlet
import SwiftletKernels

/// Speed of one built-in model: training and inference throughput at a batch size, and
/// single-image latency — the figures `swiftlet bench` prints, measured the way
/// Benchmarks/peer/pytorch_bench.py measures PyTorch (same models, shapes and step).
public struct ModelMeasurement {
    public let model: String
    public let threads: Int
    public let batch: Int
    /// Forward + backward + SGD-momentum step, images per second.
    public let trainImagesPerSecond: Double
    /// Forward only without a graph, images per second.
    public let inferImagesPerSecond: Double
    /// Forward of one image, microseconds.
    public let latencyMicroseconds: Double

    /// The three JSON lines of DESIGN.md's `swiftlet bench --json` format.
    public var jsonLines: [String] {
        [
            #"{"bench": "train", "model": "\#(model)", "threads": \#(threads), "batch": \#(batch), "img_per_s": \#(Int(trainImagesPerSecond.rounded()))}"#,
            #"{"bench": "infer", "model": "\#(model)", "threads": \#(threads), "batch": \#(batch), "img_per_s": \#(Int(inferImagesPerSecond.rounded()))}"#,
            #"{"bench": "latency", "model": "\#(model)", "threads": \#(threads), "batch": 1, "microseconds": \#(String(format: "%.1f", latencyMicroseconds))}"#,
        ]
    }
}

/// Measures `entry`'s model (built-in, or registered by the program) with `threads` kernel threads.
/// Each figure is the mean over repeated runs filling about `seconds`, after two warm-up runs.
public func measureModel(_ entry: ModelZoo.Entry, threads: Int, batch: Int = 64, seconds: Double = 2) throws -> ModelMeasurement {
    try Parallel.withThreads(threads) {
        let model = seededModel(entry)
        let optimizer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
        let x = Tensor.normal([batch] + entry.inputShape)
        var generator = SeededRandom(seed: 1)
        let labels = (0..<batch).map { _ in generator.nextInt(below: 10) }

        let train = try secondsPerRun(seconds) {
            optimizer.zeroGrad()
            try crossEntropy(model(x), labels).backward()
            optimizer.step()
        }
        model.eval()
        let infer = try secondsPerRun(seconds) { _ = try withNoGrad { try model(x) } }
        let one = Tensor.normal([1] + entry.inputShape)
        let latency = try secondsPerRun(seconds / 2) { _ = try withNoGrad { try model(one) } }
        return ModelMeasurement(model: entry.name, threads: threads, batch: batch, trainImagesPerSecond: Double(batch) / train,
                                inferImagesPerSecond: Double(batch) / infer, latencyMicroseconds: latency * 1e6)
    }
}

/// The ModelZoo model `name` as the benchmarks build it: from seed 0 (random weights; speed
/// does not depend on them).
func seededModel(_ name: String) throws -> (entry: ModelZoo.Entry, model: Module) {
    let entry = try ModelZoo.entry(name)
    return (entry, seededModel(entry))
}

/// A fresh `entry` from seed 0.
func seededModel(_ entry: ModelZoo.Entry) -> Module {
    GlobalRandom.seed(0)
    return entry.make()
}

/// Mean wall time of `body` over as many runs as fit in `budget` seconds, after two warm-ups.
func secondsPerRun(_ budget: Double, _ body: () throws -> Void) rethrows -> Double {
    try body()
    try body()
    var runs = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    repeat {
        try body()
        runs += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < budget
    return elapsed / Double(runs)
}
