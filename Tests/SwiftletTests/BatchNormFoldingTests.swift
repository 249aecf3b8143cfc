import XCTest
@testable import Swiftlet
import SwiftletKernels

/// Folding BatchNorm into the op before it, in the traced graph, changes nothing the
/// eval-mode model computes.
final class BatchNormFoldingTests: XCTestCase {
    func testFoldedGraphComputesWhatTheEvalModeModelDoes() throws {
        GlobalRandom.seed(3)
        let model = Sequential {
            ("conv1", Conv2d(3, 8, kernelSize: 3, padding: 1)); ("bn1", BatchNorm2d(8)); ReLU(); MaxPool2d(2)
            ("block", Sequential { ("conv2", Conv2d(8, 4, kernelSize: 3, bias: false)); ("bn2", BatchNorm2d(4)); ReLU() })
            Flatten(); ("fc1", Linear(4 * 2 * 2, 6)); ("bn3", BatchNorm1d(6)); ReLU(); ("fc2", Linear(6, 3))
        }
        var generator = SeededRandom(seed: 11)
        model.randomizeBatchNorms(generator: &generator)
        model.eval()
        let input = Tensor.uniform([5, 3, 8, 8], low: -1, high: 1, generator: &generator)
        let expected = try withNoGrad { try model(input) }
        let before = model.stateDict.map(\.tensor.scalars)

        let graph = try model.graph(inputShape: [3, 8, 8])
        let folded = graph.foldingBatchNorms()
        XCTAssertEqual(graph.nodes.filter { $0.op == .batchNorm(epsilon: 1e-5) }.count, 3)
        XCTAssertFalse(folded.nodes.contains { $0.op.name == "batchNorm" }, "every BatchNorm follows a weight op")
        XCTAssertEqual(folded.nodes.count, graph.nodes.count - 3)
        XCTAssertEqual(folded.nodes.filter(\.op.isWeighted).map { $0.inputs.count }, [3, 3, 3, 3], "every folded op gains a bias")
        let actual = try withNoGrad { try folded.run(input) }
        XCTAssertEqual(actual.shape, expected.shape)
        for (a, e) in zip(actual.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-5 * max(1, abs(e))) }
        XCTAssertEqual(model.stateDict.map(\.tensor.scalars), before, "the model's tensors are left as they were")
    }

    func testABatchNormAfterAnythingButAWeightOpStays() throws {
        let model = Sequential { ("fc", Linear(4, 3)); ReLU(); ("bn", BatchNorm1d(3)); ("out", Linear(3, 2)) }
        let folded = try model.graph(inputShape: [4]).foldingBatchNorms()
        XCTAssertEqual(folded.nodes.map(\.op.name), ["linear", "relu", "batchNorm", "linear"])
        XCTAssertThrowsError(try Int8InferenceModel(model, inputShape: [4], calibration: [Tensor.ones([2, 4])])) { error in
            XCTAssertTrue("\(error)".contains("batchNorm in module \"bn\""), "\(error)")
        }
    }
}
