@testable import Swiftlet
import SwiftletKernels

extension Module {
    /// Gives every BatchNorm of the model affine parameters and running statistics far from the
    /// identity, so that folding them into the layer before them matters.
    func randomizeBatchNorms(generator: inout SeededRandom) {
        for case let norm as BatchNorm in namedModules.map(\.module) {
            let count = norm.weight.scalars.count
            norm.weight.scalars = (0..<count).map { _ in generator.nextUniform(0.5, 2) }
            norm.bias.scalars = (0..<count).map { _ in generator.nextUniform(-1, 1) }
            norm.runningMean.scalars = (0..<count).map { _ in generator.nextUniform(-0.5, 0.5) }
            norm.runningVar.scalars = (0..<count).map { _ in generator.nextUniform(0.2, 3) }
        }
    }
}
