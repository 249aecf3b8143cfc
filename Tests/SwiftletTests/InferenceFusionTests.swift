import XCTest
@testable import Swiftlet

final class InferenceFusionTests: XCTestCase {
    /// Convolutions (padded and not, 20 filters through im2col, 5 directly) and fully connected
    /// layers each followed by a ReLU, with ragged sizes.
    private func model() -> Sequential {
        GlobalRandom.seed(3)
        return Sequential {
            Conv2d(3, 5, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(2)
            Conv2d(5, 20, kernelSize: 3); ReLU()
            Flatten(); Linear(20 * 3 * 3, 13); ReLU(); Linear(13, 4); ReLU()
        }
    }

    /// The fused steps of inference that records nothing give what the layers give one by one
    /// (with autograd recording, which never fuses), bit for bit.
    func testFusedInferenceMatchesTheLayersOneByOne() throws {
        let model = model()
        let x = Tensor.normal([3, 3, 10, 10])
        let layerByLayer = try model(x)
        XCTAssertNotNil(layerByLayer.gradientNode, "the reference must be the unfused, recorded pass")
        let fused = try withNoGrad { try model(x) }
        XCTAssertNil(fused.gradientNode)
        XCTAssertEqual(fused.shape, layerByLayer.shape)
        XCTAssertEqual(fused.scalars.map(\.bitPattern), layerByLayer.scalars.map(\.bitPattern))
        XCTAssertTrue(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "the last ReLU must clip some outputs")
    }

    /// A traced graph (taken without gradients) keeps every ReLU as an op of its own.
    func testTracingDoesNotFuse() throws {
        let graph = try model().graph(inputShape: [3, 10, 10])
        XCTAssertEqual(graph.nodes.filter { $0.op == .relu }.count, 4)
    }
}
