import XCTest
@testable import Swiftlet

/// A Linear layer keeps its weight packed between inference calls; what it computes follows
/// the weight through every change.
final class LinearPackedWeightTests: XCTestCase {
    /// x·Wᵀ + b in Double, from the layer's current weight and bias.
    private func reference(_ layer: Linear, _ x: Tensor, relu: Bool = false) -> [Float] {
        let (n, out) = (layer.inFeatures, layer.outFeatures)
        return (0..<x.shape[0] * out).map { index in
            let (row, j) = index.quotientAndRemainder(dividingBy: out)
            var sum = Double(layer.bias?.scalars[j] ?? 0)
            for p in 0..<n { sum += Double(x.scalars[row * n + p]) * Double(layer.weight.scalars[j * n + p]) }
            return Float(relu ? max(sum, 0) : sum)
        }
    }

    private func assertClose(_ actual: Tensor, _ expected: [Float], _ message: String, line: UInt = #line) {
        XCTAssertEqual(actual.scalars.count, expected.count, message, line: line)
        for (a, e) in zip(actual.scalars, expected) where abs(a - e) > 1e-4 {
            XCTFail("\(message): \(a) != \(e)", line: line)
            return
        }
    }

    func testInferenceFollowsTheWeightThroughEveryChange() throws {
        GlobalRandom.seed(9)
        let layer = Linear(70, 40)
        layer.eval()
        let x = Tensor.normal([5, 70])
        try withNoGrad {
            assertClose(try layer(x), reference(layer, x), "first call")
            let packed = try XCTUnwrap(layer.inferenceWeight.entry, "evaluation without gradients keeps the weight packed")
            assertClose(try layer(x), reference(layer, x), "second call")
            XCTAssertTrue(layer.inferenceWeight.entry?.prepared === packed.prepared, "an unchanged weight is packed once")

            layer.weight.scalars[3] += 1
            assertClose(try layer(x), reference(layer, x), "after a change in place")

            layer.weight = Tensor.normal([40, 70])
            assertClose(try layer(x), reference(layer, x), "after the weight was replaced")

            let withReLU = Sequential { layer; ReLU() }
            assertClose(try withReLU(x), reference(layer, x, relu: true), "fused with the ReLU after it")
            let one = Tensor.normal([1, 70])
            assertClose(try layer(one), reference(layer, one), "one row (a matrix-vector product, nothing packed)")
        }
    }

    func testTrainingDropsThePackedWeightAndNeverUsesIt() throws {
        GlobalRandom.seed(10)
        let layer = Linear(30, 20)
        try assertTrainingDropsTheKeptWeight(layer, input: Tensor.normal([4, 30]), weight: layer.weight) {
            layer.inferenceWeight.entry?.prepared
        }
    }
}
