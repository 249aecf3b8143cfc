import XCTest
@testable import SwiftletKernels

/// Two training runs with the same seed must print the same numbers, so the threaded
/// weight-gradient reduction must not depend on which thread finishes first.
final class ConvolutionDeterminismTests: XCTestCase {
    func testWeightGradientIsIdenticalAcrossRuns() {
        for g in [
            Conv2dGeometry(batch: 7, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 10, kernelHeight: 5, kernelWidth: 5),
            Conv2dGeometry(batch: 9, inChannels: 10, inHeight: 12, inWidth: 12, outChannels: 20, kernelHeight: 5, kernelWidth: 5),
        ] {
            var random = SeededRandom(seed: 2)
            let x = (0..<(g.batch * g.inChannels * g.inPlane)).map { _ in random.nextUniform(-1, 1) }
            let gy = (0..<(g.batch * g.outChannels * g.outPlane)).map { _ in random.nextUniform(-1, 1) }
            var first = [Float](repeating: 0, count: g.outChannels * g.patchSize), again = first
            var firstBias = [Float](repeating: 0, count: g.outChannels), againBias = firstBias
            conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: &first, gradBias: &firstBias)
            for _ in 0..<5 {
                conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: &again, gradBias: &againBias)
                XCTAssertEqual(first.map(\.bitPattern), again.map(\.bitPattern))  // bit for bit
                XCTAssertEqual(firstBias.map(\.bitPattern), againBias.map(\.bitPattern))
            }
        }
    }
}

/// A batch of one image shares its convolution among the threads (tiles of positions on the
/// direct path, pairs of B panels on the im2col path) once each thread gets at least
/// `GEMMPartition.minimumFlopsPerThread`; the result is the definition's, and bit for bit the
/// one-thread result.
final class OneImageConvolutionTests: XCTestCase {
    func testOneImageIsSharedAmongThreadsAndGivesTheOneThreadResult() {
        let direct = Conv2dGeometry(batch: 1, inChannels: 16, inHeight: 32, inWidth: 32, outChannels: 32, kernelHeight: 3, kernelWidth: 3,
                                    paddingHeight: 1, paddingWidth: 1)
        let product = Conv2dGeometry(batch: 1, inChannels: 32, inHeight: 15, inWidth: 15, outChannels: 64, kernelHeight: 3, kernelWidth: 3)
        XCTAssertTrue(direct.usesDirectForward && !direct.usesWinograd)
        XCTAssertFalse(product.usesDirectForward || product.usesWinograd)
        for g in [direct, product] {
            XCTAssertGreaterThan(2 * g.outChannels * g.patchSize * g.outPlane, 2 * GEMMPartition.minimumFlopsPerThread, "\(g) must be worth sharing")
            assertPassesMatchTheDefinition(g, seed: 40)
            let input = randomValues(g.inChannels * g.inPlane, seed: 41), weight = randomValues(g.outChannels * g.patchSize, seed: 42)
            let outputs = [1, 2].map { threads in
                var output = [Float](repeating: .nan, count: g.outChannels * g.outPlane)
                Parallel.withThreads(threads) { conv2dForward(g, input: input, weight: weight, bias: nil, output: &output) }
                return output.map(\.bitPattern)
            }
            XCTAssertEqual(outputs[0], outputs[1], "\(g)")
        }
    }
}
