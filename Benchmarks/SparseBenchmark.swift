import Foundation
import Swiftlet
import SwiftletKernels

/// Batch-1 latency of a magnitude-pruned model, dense against the sparse (CSR) path.
public struct SparseMeasurement {
    public let model: String
    public let sparsity: Double
    public let threads: Int
    public let denseMicroseconds: Double
    public let sparseMicroseconds: Double
    /// Largest |sparse − dense| over the logits of the timed image: both paths computed the same thing.
    public let maximumDifference: Float
    public var speedup: Double { denseMicroseconds / sparseMicroseconds }

    public var jsonLine: String {
        #"{"bench": "sparse", "model": "\#(model)", "sparsity": \#(String(format: "%.2f", sparsity)), "threads": \#(threads), "dense_us": \#(String(format: "%.2f", denseMicroseconds)), "sparse_us": \#(String(format: "%.2f", sparseMicroseconds)), "speedup": \#(String(format: "%.2f", speedup))}"#
    }
}

/// Prunes every weight of `name` to `sparsity` by magnitude, converts a copy's Linear layers
/// to `SparseLinear`, and times one normally distributed image (no zero inputs to skip)
/// through both, in the same framework path (`Module` calls under no-grad).
///
/// The two models take turns, `rounds` times `runsPerRound` images each, and each keeps its
/// fastest round: on a machine shared with other jobs, the turns put both under the same
/// load and the best round is the one least disturbed by it.
public func measureSparseLatency(_ name: String = "lenet300", sparsity: Float = 0.9, threads: Int = 1,
                                 rounds: Int = 100, runsPerRound: Int = 300) throws -> SparseMeasurement {
    try Parallel.withThreads(threads) {
        GlobalRandom.seed(0)
        let entry = try ModelZoo.entry(name)
        let dense = entry.make()
        _ = try pruneByMagnitude(dense, .sparsity(sparsity))
        let sparse = entry.make()
        try sparse.loadStateDict(Dictionary(uniqueKeysWithValues: dense.stateDict.map { ($0.name, $0.tensor) }))
        _ = try convertToSparse(sparse, minimumSparsity: Double(sparsity) * 0.9)
        dense.eval()
        sparse.eval()
        let image = Tensor.normal([1] + entry.inputShape)
        let difference = try withNoGrad {
            zip(try dense(image).scalars, try sparse(image).scalars).map { abs($0 - $1) }.max() ?? 0
        }
        var best = (dense: Double.infinity, sparse: Double.infinity)
        for _ in 0..<rounds {
            best.dense = min(best.dense, try secondsPerRun(runs: runsPerRound) { _ = try withNoGrad { try dense(image) } })
            best.sparse = min(best.sparse, try secondsPerRun(runs: runsPerRound) { _ = try withNoGrad { try sparse(image) } })
        }
        return SparseMeasurement(model: name, sparsity: Double(sparsity), threads: threads, denseMicroseconds: best.dense * 1e6,
                                 sparseMicroseconds: best.sparse * 1e6, maximumDifference: difference)
    }
}

/// Mean wall time of `runs` calls of `body`, after one warm-up call.
private func secondsPerRun(runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<runs { try body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(runs)
}
