import XCTest
@testable import Swiftlet

final class ModuleTests: XCTestCase {
    private final class TwoLayer: Module {
        let fc1 = Linear(4, 3)
        let hidden = [Linear(3, 3), Linear(3, 3)]
        let norm = BatchNorm1d(3)
        override func forward(_ input: Tensor) throws -> Tensor { try norm(hidden[1](hidden[0](fc1(input)))) }
    }

    func testParameterAndBufferNamesFollowPyTorch() {
        let model = TwoLayer()
        XCTAssertEqual(model.namedParameters.map(\.name),
                       ["fc1.weight", "fc1.bias", "hidden.0.weight", "hidden.0.bias", "hidden.1.weight", "hidden.1.bias",
                        "norm.weight", "norm.bias"])
        XCTAssertEqual(model.namedBuffers.map(\.name), ["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"])
        XCTAssertEqual(model.parameterCount, 4 * 3 + 3 + 2 * (9 + 3) + 6)
    }

    func testSequentialNamesLayersByNameOrPosition() throws {
        let model = Sequential {
            ("fc1", Linear(4, 3)); ReLU()
            Linear(3, 2)
        }
        XCTAssertEqual(model.namedParameters.map(\.name), ["fc1.weight", "fc1.bias", "2.weight", "2.bias"])
        XCTAssertTrue(model.submodule(at: "fc1") is Linear)
        XCTAssertNil(model.submodule(at: "fc9"))
        XCTAssertEqual(try model(Tensor.zeros([5, 4])).shape, [5, 2])
        try model.replaceSubmodule(at: "fc1", with: Linear(4, 3, bias: false))
        XCTAssertEqual(model.namedParameters.map(\.name), ["fc1.weight", "2.weight", "2.bias"])
        XCTAssertThrowsError(try model.replaceSubmodule(at: "nope", with: ReLU()))
    }

    func testTrainAndEvalReachEveryChild() throws {
        let model = TwoLayer()
        model.eval()
        XCTAssertFalse(model.norm.isTraining)
        model.train()
        XCTAssertTrue(model.norm.isTraining && model.hidden[1].isTraining)
    }

    func testDefaultInitialisationHasPyTorchBounds() {
        GlobalRandom.seed(1)
        let layer = Linear(400, 50)
        let bound = 1 / Float(400).squareRoot()
        XCTAssertLessThanOrEqual(layer.weight.scalars.map(abs).max()!, bound)
        XCTAssertGreaterThan(layer.weight.scalars.map(abs).max()!, 0.95 * bound)  // fills the range
        XCTAssertLessThanOrEqual(layer.bias!.scalars.map(abs).max()!, bound)
    }

    func testSameSeedSameWeights() {
        GlobalRandom.seed(42)
        let a = Linear(8, 8).weight.scalars
        GlobalRandom.seed(42)
        XCTAssertEqual(Linear(8, 8).weight.scalars, a)
    }

    func testLayersRejectWrongInputShapes() {
        assertThrows(try Linear(320, 50)(Tensor.zeros([2, 500])), TensorError.unexpectedShape(op: "Linear(320, 50)", [2, 500], expected: "input [batch, 320]"))
        assertThrows(try BatchNorm2d(3)(Tensor.zeros([2, 3])), TensorError.unexpectedShape(op: "BatchNorm2d", [2, 3], expected: "a 4-dimensional input"))
    }
}
