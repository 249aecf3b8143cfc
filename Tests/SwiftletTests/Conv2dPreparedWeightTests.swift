import XCTest
@testable import Swiftlet

/// A Conv2d layer, and an InferencePlan, keep the weight in the form the convolution
/// multiplies with between inference calls; what they compute follows the weight through every
/// change, bit for bit what preparing it in each call gives.
final class Conv2dPreparedWeightTests: XCTestCase {
    /// The layer's output with the weight prepared in the call (gradients on: nothing is kept).
    private func perCall(_ layer: Module, _ x: Tensor) throws -> [UInt32] {
        try layer(x).scalars.map(\.bitPattern)
    }

    func testInferenceFollowsTheWeightThroughEveryChange() throws {
        GlobalRandom.seed(11)
        // 40 filters at 3×3 with padding 1 on 32 channels: the Winograd path; 8 filters: direct.
        for layer in [Conv2d(32, 40, kernelSize: 3, padding: 1), Conv2d(3, 8, kernelSize: 3)] {
            layer.eval()
            let x = Tensor.normal([3, layer.inChannels, 10, 10])
            let expected = try perCall(layer, x)
            try withNoGrad {
                XCTAssertEqual(try layer(x).scalars.map(\.bitPattern), expected, "first call")
                let kept = try XCTUnwrap(layer.inferenceWeights.entry, "evaluation without gradients keeps the weight prepared")
                XCTAssertEqual(try layer(Tensor.normal([1, layer.inChannels, 10, 10])).shape[0], 1)
                XCTAssertTrue(layer.inferenceWeights.entry?.prepared === kept.prepared, "an unchanged weight is prepared once")
            }
            layer.weight.scalars[3] += 1
            let changed = try perCall(layer, x)
            XCTAssertEqual(try withNoGrad { try layer(x) }.scalars.map(\.bitPattern), changed, "after a change in place")
            layer.weight = Tensor.normal(layer.weight.shape)
            let replaced = try perCall(layer, x)
            XCTAssertEqual(try withNoGrad { try layer(x) }.scalars.map(\.bitPattern), replaced, "after the weight was replaced")
            let smaller = Tensor.normal([2, layer.inChannels, 7, 5])
            let other = try perCall(layer, smaller)
            XCTAssertEqual(try withNoGrad { try layer(smaller) }.scalars.map(\.bitPattern), other, "another image size")
        }
    }

    func testTrainingDropsThePreparedWeightAndNeverUsesIt() throws {
        GlobalRandom.seed(12)
        let layer = Conv2d(4, 6, kernelSize: 3)
        try assertTrainingDropsTheKeptWeight(layer, input: Tensor.normal([2, 4, 8, 8]), weight: layer.weight) {
            layer.inferenceWeights.entry?.prepared
        }
    }

    /// A plan made before an in-place change to a weight it does not fold uses the new weight.
    func testAPlanFollowsAWeightChangedInPlace() throws {
        GlobalRandom.seed(13)
        let conv = Conv2d(3, 8, kernelSize: 3)
        let model = Sequential { conv; ReLU(); Flatten(); Linear(8 * 6 * 6, 4) }
        model.eval()
        let plan = try InferencePlan(model, inputShape: [3, 8, 8])
        XCTAssertEqual(plan.fusions.first, "0: relu")
        let x = Tensor.normal([2, 3, 8, 8])
        XCTAssertEqual(try plan(x).scalars.map(\.bitPattern), try perCall(model, x))
        conv.weight.scalars[0] += 1
        XCTAssertEqual(try plan(x).scalars.map(\.bitPattern), try perCall(model, x))
    }
}

/// An `InferenceWeightCache` of `layer` (read by `kept`) is filled by evaluation without
/// gradients, dropped by a call in training mode, and left empty by evaluation that records
/// gradients, which reach `weight` itself.
func assertTrainingDropsTheKeptWeight(
    _ layer: Module, input x: Tensor, weight: Tensor, line: UInt = #line, kept: () -> AnyObject?
) throws {
    layer.eval()
    _ = try withNoGrad { try layer(x) }
    XCTAssertNotNil(kept(), "evaluation without gradients keeps a prepared weight", line: line)
    layer.train()
    _ = try withNoGrad { try layer(x) }
    XCTAssertNil(kept(), "a call in training mode drops the prepared copy", line: line)
    layer.eval()
    let y = try layer(x)
    XCTAssertNil(kept(), "gradients recorded: the weight itself is used", line: line)
    try y.sum().backward()
    XCTAssertEqual(weight.grad?.shape, weight.shape, line: line)
}
