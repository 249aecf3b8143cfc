import Foundation
import Swiftlet
import SwiftletKernels

/// Batch-1 latency of a magnitude-pruned model, dense against the sparse (CSR) path.
public struct SparseMeasurement {
    public let model: String
    public let sparsity: Double
    public let denseMicroseconds: Double
    public let sparseMicroseconds: Double
    public var speedup: Double { denseMicroseconds / sparseMicroseconds }

    public var jsonLine: String {
        #"{"bench": "sparse", "model": "\#(model)", "sparsity": \#(String(format: "%.2f", sparsity)), "dense_us": \#(String(format: "%.1f", denseMicroseconds)), "sparse_us": \#(String(format: "%.1f", sparseMicroseconds)), "speedup": \#(String(format: "%.2f", speedup))}"#
    }
}

/// Prunes every weight of `name` to `sparsity` by magnitude, then times one normally
/// distributed image (no zero inputs to skip) through the dense model and through the same
/// model with its Linear layers converted to `SparseLinear`.
public func measureSparseLatency(_ name: String = "lenet300", sparsity: Float = 0.9, threads: Int = 1,
                                 seconds: Double = 1) throws -> SparseMeasurement {
    try Parallel.withThreads(threads) {
        GlobalRandom.seed(0)
        let entry = try ModelZoo.entry(name)
        let model = entry.make()
        _ = try pruneByMagnitude(model, .sparsity(sparsity))
        model.eval()
        let image = Tensor.normal([1] + entry.inputShape)
        let dense = try secondsPerRun(seconds) { _ = try withNoGrad { try model(image) } }
        _ = try convertToSparse(model, minimumSparsity: Double(sparsity) * 0.9)
        let sparse = try secondsPerRun(seconds) { _ = try withNoGrad { try model(image) } }
        return SparseMeasurement(model: name, sparsity: Double(sparsity), denseMicroseconds: dense * 1e6, sparseMicroseconds: sparse * 1e6)
    }
}
