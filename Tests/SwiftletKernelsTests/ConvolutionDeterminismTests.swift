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
