import Foundation
import SwiftletKernels

/// Speed of `sgemm` on one square product C = A·B of size n×n×n.
public struct SGEMMMeasurement: Sendable {
    public let n: Int
    public let threads: Int
    /// 2n³ floating-point operations divided by the median time of one call.
    public let gflops: Double

    /// The line `swiftlet bench --json` prints, e.g.
    /// `{"bench": "sgemm", "n": 512, "threads": 2, "gflops": 131.2}`.
    public var jsonLine: String {
        "{\"bench\": \"sgemm\", \"n\": \(n), \"threads\": \(threads), \"gflops\": "
            + String(format: "%.1f", gflops) + "}"
    }
}

/// Times square single-precision products for every size and thread count.
///
/// Each point is warmed up with two calls, then `sgemm` is called repeatedly for about
/// `secondsPerPoint` (and at least five times); the median call time is reported, which
/// ignores the occasional call slowed down by another process on a busy machine.
/// `Parallel.threads` is restored afterwards.
public func measureSGEMM(
    sizes: [Int] = [256, 512, 1024], threads: [Int] = [1, 2], secondsPerPoint: Double = 1.5
) -> [SGEMMMeasurement] {
    let savedThreads = Parallel.threads
    defer { Parallel.threads = savedThreads }
    var random = SeededRandom(seed: 42)
    var measurements: [SGEMMMeasurement] = []
    for n in sizes {
        let a = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &random) }
        let b = (0..<(n * n)).map { _ in Float.random(in: -1...1, using: &random) }
        var c = [Float](repeating: 0, count: n * n)
        for threadCount in threads {
            Parallel.threads = threadCount
            let seconds = c.withUnsafeMutableBufferPointer { c in
                let times = callSeconds(budget: secondsPerPoint) {
                    sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                          a: a, lda: n, b: b, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                }
                return times[times.count / 2]
            }
            let flops = 2 * Double(n) * Double(n) * Double(n)
            measurements.append(
                SGEMMMeasurement(n: n, threads: threadCount, gflops: flops / seconds / 1e9))
        }
    }
    return measurements
}
