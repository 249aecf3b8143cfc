import XCTest
@testable import Swiftlet

final class InferenceFusionTests: XCTestCase {
    /// Every fusable run with ragged sizes: a padded convolution, ReLU and pooling that drops an
    /// edge row and column (direct convolution); pooling before ReLU after 20 filters (im2col
    /// and the packed product); a 1×1 convolution and fully connected layers with ReLU.
    private func model() -> Sequential {
        GlobalRandom.seed(3)
        return Sequential {
            Conv2d(3, 5, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(2)
            Conv2d(5, 20, kernelSize: 2); MaxPool2d(2); ReLU()
            Conv2d(20, 6, kernelSize: 1); ReLU()
            Flatten(); Linear(6 * 2 * 2, 13); ReLU(); Linear(13, 4); ReLU()
        }
    }

    /// The fused steps of inference that records nothing give what the layers give one by one
    /// (with autograd recording, which never fuses), bit for bit.
    func testFusedInferenceMatchesTheLayersOneByOne() throws {
        let model = model()
        let x = Tensor.normal([3, 3, 11, 11])
        let layerByLayer = try model(x)
        XCTAssertNotNil(layerByLayer.gradientNode, "the reference must be the unfused, recorded pass")
        let fused = try withNoGrad { try model(x) }
        XCTAssertNil(fused.gradientNode)
        XCTAssertEqual(fused.shape, layerByLayer.shape)
        XCTAssertEqual(fused.scalars.map(\.bitPattern), layerByLayer.scalars.map(\.bitPattern))
        XCTAssertTrue(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "the last ReLU must clip some outputs")
    }

    /// Sparse Linear layers fuse their ReLU too, on both kernels (dense rows of input and the
    /// scattering one for mostly-zero rows), and give what the layers give one by one.
    func testSparseLinearWithReLUMatchesTheLayersOneByOne() throws {
        GlobalRandom.seed(5)
        let (first, second) = (Linear(37, 21), Linear(21, 9))
        for layer in [first, second] { _ = try pruneByMagnitude(layer, .sparsity(0.8)) }
        let layers: [Module] = [try SparseLinear(first), ReLU(), try SparseLinear(second), ReLU()]
        let model = Sequential(layers.enumerated().map { ("\($0.offset)", $0.element) })
        let x = Tensor.normal([4, 37])
        x.scalars = x.scalars.enumerated().map { $0.offset >= 2 * 37 && $0.offset % 10 != 0 ? 0 : $0.element }  // rows 2, 3 mostly zero
        try withNoGrad {
            let oneByOne = try layers.reduce(x) { try $1($0) }
            let fused = try model(x)
            XCTAssertEqual(fused.scalars.map(\.bitPattern), oneByOne.scalars.map(\.bitPattern))
            XCTAssertTrue(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "the last ReLU must clip some outputs")
        }
    }

    /// A pooling window that does not fit the convolution's output fails as the unfused layers do.
    func testPoolingThatDoesNotFitThrowsAsUnfused() {
        let model = Sequential { Conv2d(1, 2, kernelSize: 3); ReLU(); MaxPool2d(2) }
        let x = Tensor.normal([1, 1, 3, 3])
        let expected = TensorError.poolWindowDoesNotFit(op: "maxPool2d", input: [1, 2, 1, 1], kernel: 2, stride: 2, padding: 0)
        assertThrows(try model(x), expected)
        assertThrows(try withNoGrad { try model(x) }, expected)
    }

    /// A traced graph (taken without gradients) keeps every ReLU and pooling as an op of its own.
    func testTracingDoesNotFuse() throws {
        let graph = try model().graph(inputShape: [3, 11, 11])
        XCTAssertEqual(graph.nodes.filter { $0.op == .relu }.count, 5)
        XCTAssertEqual(graph.nodes.filter { if case .maxPool2d = $0.op { true } else { false } }.count, 2)
    }
}
