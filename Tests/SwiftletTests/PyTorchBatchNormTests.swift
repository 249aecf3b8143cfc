import XCTest
@testable import Swiftlet

/// BatchNorm1d/2d training and evaluation against PyTorch (Fixtures/batchnorm.json).
final class PyTorchBatchNormTests: XCTestCase {
    func testBatchNormMatchesPyTorch() throws {
        for c in try loadFixtures("batchnorm") {
            let features = try c.int("num_features")
            let layer = c.name == "batchnorm2d" ? BatchNorm2d(features) : BatchNorm1d(features)
            layer.weight.scalars = try c.tensor("weight").data
            layer.bias.scalars = try c.tensor("bias").data

            let x1 = try c.input("x1", requiresGrad: true)
            let y1 = try layer(x1)
            try y1.backward(c.input("gy"))
            try c.expect(y1, "y1")
            try c.expect(x1.grad, "gx", rtol: 1e-4, atol: 1e-5)
            try c.expect(layer.weight.grad, "gweight")
            try c.expect(layer.bias.grad, "gbias")
            try c.expect(layer.runningMean, "running_mean_1")
            try c.expect(layer.runningVar, "running_var_1")

            try c.expect(try layer(c.input("x2")), "y2")
            try c.expect(layer.runningMean, "running_mean_2")
            try c.expect(layer.runningVar, "running_var_2")
            XCTAssertEqual(layer.batchesTracked.scalars, [2])

            layer.eval()
            try c.expect(try layer(c.input("x1")), "y_eval")
        }
    }
}
