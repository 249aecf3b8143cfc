import Foundation
import Swiftlet
import XCTest

// ANCHOR: softplus
/// softplus(x) = log(1 + eˣ), whose derivative is the sigmoid 1 / (1 + e⁻ˣ).
func softplus(_ x: Tensor) throws -> Tensor {
    try Tensor.custom("softplus", inputs: [x], shape: x.shape, scalars: x.scalars.map { Foundation.log(1 + Foundation.exp($0)) }) { g in
        [try g * x.sigmoid()]
    }
}
// ANCHOR_END: softplus

/// An op defined from outside the library, checked by the public gradient checker.
final class CustomOperationTests: XCTestCase {
    // ANCHOR: softplus-check
    func testSoftplusPassesTheGradientCheck() throws {
        try checkGradients([spreadTensor([3, 4], seed: 1)]) { try softplus($0[0]) }
    }
    // ANCHOR_END: softplus-check

    func testACustomOpComposesWithBuiltInOps() throws {
        try checkGradients([spreadTensor([2, 3], seed: 2), spreadTensor([3, 2], seed: 3)]) { t in
            try softplus(t[0].matmul(t[1])).mean()
        }
    }

    /// The checker itself must fail: a derivative off by five percent is caught.
    func testTheCheckerCatchesAWrongDerivative() throws {
        func slightlyWrongSquare(_ x: Tensor) throws -> Tensor {
            try Tensor.custom("square", inputs: [x], shape: x.shape, scalars: x.scalars.map { $0 * $0 }) { g in
                [try g * x * 2.1]
            }
        }
        XCTAssertThrowsError(try checkGradients([spreadTensor([8], seed: 4).affine(scale: 1, shift: 2).detached()]) {
            try slightlyWrongSquare($0[0])
        }) { error in
            guard case let .mismatch(input, _, received, expected)? = error as? GradientCheckError else {
                return XCTFail("expected a mismatch, got \(error)")
            }
            XCTAssertEqual(input, 0)
            XCTAssertEqual(received / expected, 1.05, accuracy: 1e-3)
        }
    }

    func testBadCustomOpsAreTypedErrors() throws {
        let x = try Tensor([1, 2], shape: [2], requiresGrad: true)
        XCTAssertThrowsError(try Tensor.custom("twice", inputs: [x], shape: [3], scalars: [1, 2]) { [$0] }) {
            XCTAssertEqual($0 as? TensorError, .invalidShape([3], "twice computed 2 scalars for an output of 3"))
        }
        let wrongShape = try Tensor.custom("wrong", inputs: [x], shape: [2], scalars: x.scalars) { _ in [Tensor.zeros([3])] }
        XCTAssertThrowsError(try wrongShape.sum().backward()) {
            XCTAssertEqual($0 as? TensorError, .shapeMismatch(op: "wrong backward", [2], [3], "an input's gradient must have the input's shape"))
        }
        let tooFew = try Tensor.custom("few", inputs: [x, x], shape: [2], scalars: x.scalars) { g in [g] }
        XCTAssertThrowsError(try tooFew.sum().backward()) {
            XCTAssertEqual($0 as? TensorError, .gradientCountMismatch(op: "few", gradients: 1, inputs: 2))
        }
        XCTAssertThrowsError(try checkGradients([Tensor.zeros([2])]) { t in
            try Tensor.custom("none", inputs: t, shape: [2], scalars: [0, 0]) { _ in [nil] }
        }) { XCTAssertEqual($0 as? GradientCheckError, .noGradient(input: 0)) }
    }

    /// A traced model keeps the op by name, so a pass that cannot handle it names it.
    func testATracedCustomOpIsNamedByExport() throws {
        final class Softplus: Module {
            override func forward(_ input: Tensor) throws -> Tensor { try softplus(input) }
        }
        let model = Sequential { Linear(4, 3); Softplus() }
        let graph = try model.graph(inputShape: [4])
        XCTAssertEqual(graph.nodes.map(\.op.name), ["linear", "softplus"])
        XCTAssertThrowsError(try ONNXExporter(model, inputShape: [4])) { error in
            XCTAssertTrue("\(error)".contains("softplus"), "\(error)")
        }
    }
}
