import XCTest
@testable import Swiftlet
import SwiftletKernels

/// Folding BatchNorm into the layer before it changes nothing the eval-mode model computes.
final class BatchNormFoldingTests: XCTestCase {
    /// Running statistics and affine parameters far from the identity, so folding matters.
    private func randomize(_ norm: BatchNorm, generator: inout SeededRandom) {
        let count = norm.weight.scalars.count
        norm.weight.scalars = (0..<count).map { _ in generator.nextUniform(0.5, 2) }
        norm.bias.scalars = (0..<count).map { _ in generator.nextUniform(-1, 1) }
        norm.runningMean.scalars = (0..<count).map { _ in generator.nextUniform(-0.5, 0.5) }
        norm.runningVar.scalars = (0..<count).map { _ in generator.nextUniform(0.2, 3) }
    }

    private func allModules(_ module: Module) -> [Module] {
        [module] + module.children.flatMap { allModules($0.module) }
    }

    func testFoldedConvAndLinearComputeWhatTheEvalModeModelDoes() throws {
        GlobalRandom.seed(3)
        let model = Sequential {
            ("conv1", Conv2d(3, 8, kernelSize: 3, padding: 1)); ("bn1", BatchNorm2d(8)); ReLU(); MaxPool2d(2)
            ("block", Sequential { ("conv2", Conv2d(8, 4, kernelSize: 3, bias: false)); ("bn2", BatchNorm2d(4)); ReLU() })
            Flatten(); ("fc1", Linear(4 * 2 * 2, 6)); ("bn3", BatchNorm1d(6)); ReLU(); ("fc2", Linear(6, 3))
        }
        var generator = SeededRandom(seed: 11)
        for module in allModules(model) { if let norm = module as? BatchNorm { randomize(norm, generator: &generator) } }
        model.eval()
        let input = Tensor.uniform([5, 3, 8, 8], low: -1, high: 1, generator: &generator)
        let expected = try withNoGrad { try model(input) }

        let folded = try model.foldingBatchNorm()
        XCTAssertFalse(folded.isTraining)
        XCTAssertFalse(allModules(folded).contains { $0 is BatchNorm }, "every BatchNorm follows a weight layer")
        XCTAssertEqual(folded.namedParameters.map(\.name),
                       ["conv1.weight", "conv1.bias", "block.conv2.weight", "block.conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        let actual = try withNoGrad { try folded(input) }
        XCTAssertEqual(actual.shape, expected.shape)
        for (a, e) in zip(actual.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-5 * max(1, abs(e))) }

        let again = try withNoGrad { try model(input) }
        XCTAssertEqual(again.scalars, expected.scalars, "the original model is left as it was")
    }

    func testABatchNormOfTheWrongWidthIsAnError() throws {
        let model = Sequential { ("fc", Linear(4, 3)); ("bn", BatchNorm1d(5)) }
        XCTAssertThrowsError(try model.foldingBatchNorm()) { error in
            XCTAssertTrue("\(error)".contains("bn normalises 5 channels but fc has 3 outputs"), "\(error)")
        }
    }
}
