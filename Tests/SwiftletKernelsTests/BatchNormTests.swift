import SwiftletKernels
import XCTest

/// The batch-normalisation kernels against the formulas, summed in Double: the statistics,
/// y = γ·x̂ + β, and the gradients computed from the forward input (x̂ is recomputed, not stored).
final class BatchNormTests: XCTestCase {
    private func check(batch: Int, channels: Int, spatial: Int, affine: Bool, training: Bool,
                       file: StaticString = #filePath, line: UInt = #line) {
        let layout = ChannelLayout(batch: batch, channels: channels, spatial: spatial)
        let count = batch * channels * spatial
        let x = randomValues(count, seed: 31).map { 0.5 + 2 * $0 }
        let dy = randomValues(count, seed: 32)
        let gamma = affine ? randomValues(channels, seed: 33) : nil
        let beta = affine ? randomValues(channels, seed: 34) : nil
        func index(_ n: Int, _ c: Int, _ s: Int) -> Int { (n * channels + c) * spatial + s }

        var mean = [Double](repeating: .nan, count: channels), variance = mean
        batchNormStatistics(layout, input: x, mean: &mean, variance: &variance)
        let m = Double(batch * spatial)
        var expectedMean = [Double](), expectedVariance = [Double]()
        for c in 0..<channels {
            var values = [Double]()
            for n in 0..<batch { for s in 0..<spatial { values.append(Double(x[index(n, c, s)])) } }
            let mu = values.reduce(0, +) / m
            expectedMean.append(mu)
            expectedVariance.append(values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / m)
        }
        assertClose(mean.map(Float.init), expectedMean, "mean", file: file, line: line)
        assertClose(variance.map(Float.init), expectedVariance, "variance", file: file, line: line)

        let meanF = mean.map(Float.init), inverseStd = variance.map { Float(1 / ($0 + 1e-5).squareRoot()) }
        forEachThreadCount { threads in
            var y = [Float](repeating: .nan, count: count)
            var gx = y, gGamma = [Float](repeating: .nan, count: channels), gBeta = gGamma
            withOptional(gamma) { g in
                withOptional(beta) { b in
                    batchNormForward(layout, input: x, mean: meanF, inverseStd: inverseStd, gamma: g, beta: b, output: &y)
                    batchNormBackward(layout, gradOutput: dy, input: x, mean: meanF, gamma: g, inverseStd: inverseStd,
                                      training: training, gradInput: &gx, gradWeight: &gGamma, gradBias: &gBeta)
                }
            }
            var expectedY = [Double](repeating: 0, count: count), expectedGx = expectedY
            var expectedGamma = [Double](repeating: 0, count: channels), expectedBeta = expectedGamma
            for c in 0..<channels {
                let g = Double(gamma?[c] ?? 1), b = Double(beta?[c] ?? 0), s = Double(inverseStd[c])
                var sumDy = 0.0, sumDyXhat = 0.0
                for n in 0..<batch {
                    for p in 0..<spatial {
                        let i = index(n, c, p), xHat = (Double(x[i]) - Double(meanF[c])) * s
                        expectedY[i] = g * xHat + b
                        sumDy += Double(dy[i])
                        sumDyXhat += Double(dy[i]) * xHat
                    }
                }
                expectedGamma[c] = sumDyXhat
                expectedBeta[c] = sumDy
                for n in 0..<batch {
                    for p in 0..<spatial {
                        let i = index(n, c, p), xHat = (Double(x[i]) - Double(meanF[c])) * s
                        expectedGx[i] = training ? g * s * (Double(dy[i]) - sumDy / m - xHat * sumDyXhat / m) : g * s * Double(dy[i])
                    }
                }
            }
            let context = "batch \(batch), channels \(channels), spatial \(spatial), threads \(threads)"
            assertClose(y, expectedY, "y \(context)", file: file, line: line)
            assertClose(gx, expectedGx, tolerance: 1e-4, "gradInput \(context)", file: file, line: line)
            assertClose(gGamma, expectedGamma, tolerance: 1e-4, "gradWeight \(context)", file: file, line: line)
            assertClose(gBeta, expectedBeta, tolerance: 1e-4, "gradBias \(context)", file: file, line: line)
        }
    }

    func testTrainingAndEvaluation() {
        check(batch: 5, channels: 3, spatial: 37, affine: true, training: true)   // a vector body and a scalar tail
        check(batch: 4, channels: 7, spatial: 64, affine: true, training: false)
        check(batch: 9, channels: 4, spatial: 1, affine: false, training: true)   // [N, C]: no vectors at all
        check(batch: 2, channels: 5, spatial: 8, affine: false, training: false)
    }
}

private func withOptional<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
