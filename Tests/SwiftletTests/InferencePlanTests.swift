import XCTest
@testable import Swiftlet
import SwiftletKernels

/// An inference plan computes what the model computes in evaluation mode: its fused steps
/// exactly what the BatchNorm-folded graph computes op by op.
final class InferencePlanTests: XCTestCase {
    /// A residual network as a user writes one, defined only here: a stem whose ReLU and max
    /// pooling follow its BatchNorm, an identity block, a block whose projection shortcut runs
    /// after the main path (so the add joins the shortcut's convolution, not the main one; the
    /// blocks are those of ResidualNetEndToEndTests), a concatenation, and a classifier with a
    /// hidden ReLU.
    final class Net: Module {
        let stem = Conv2d(3, 8, kernelSize: 3, padding: 1, bias: false)
        let norm = BatchNorm2d(8)
        let pool = MaxPool2d(2)
        let same = ResidualNetEndToEndTests.Block(8, 8, stride: 1)
        let down = ResidualNetEndToEndTests.Block(8, 12, stride: 2)
        let side = Conv2d(12, 4, kernelSize: 1)
        let hidden = Linear(16, 10)
        let head = Linear(10, 3)

        override func forward(_ x: Tensor) throws -> Tensor {
            let features = try down(same(pool(norm(stem(x)).relu())))
            let joined = try concat([features, side(features)], alongAxis: 1)
            return try head(hidden(globalAvgPool2d(joined).flattened()).relu())
        }
    }

    func testThePlanComputesWhatTheModelDoesWithEveryFollowingOpFused() throws {
        GlobalRandom.seed(5)
        let model = Net()
        var generator = SeededRandom(seed: 17)
        model.randomizeBatchNorms(generator: &generator)
        model.train()
        let before = model.stateDict.map(\.tensor.scalars)
        let plan = try InferencePlan(model, inputShape: [3, 8, 8])
        XCTAssertTrue(model.isTraining, "the model's mode is restored")

        XCTAssertEqual(plan.fusions, [
            "stem: relu, maxPool2d",
            "same.conv1: relu", "same.conv2: add, relu",
            "down.conv1: relu", "down.shortcut.0: add, relu",
            "hidden: relu",
        ])
        // Every absorbed op is gone from the steps; nothing else is.
        XCTAssertEqual(plan.steps.count + plan.steps.map(\.absorbed.count).reduce(0, +), plan.graph.nodes.count)

        for batch in [1, 5] {  // traced with one image, run with any batch
            let input = Tensor.uniform([batch, 3, 8, 8], low: -1, high: 1, generator: &generator)
            let planned = try plan(input)
            XCTAssertEqual(planned.scalars, try withNoGrad { try plan.graph.run(input) }.scalars,
                           "fused steps compute bit for bit what the folded graph's ops do one by one")
            model.eval()
            let expected = try withNoGrad { try model(input) }
            model.train()
            XCTAssertEqual(planned.shape, expected.shape)
            for (a, e) in zip(planned.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-4 * max(1, abs(e))) }
            XCTAssertFalse(planned.requiresGrad)
        }
        XCTAssertEqual(model.stateDict.map(\.tensor.scalars), before, "the model's tensors are left as they were")
    }

    /// A convolution whose result is also read elsewhere, or is the output, keeps its ReLU apart.
    func testAResultReadTwiceOrReturnedIsNotFused() throws {
        final class TwoReaders: Module {
            let conv = Conv2d(2, 2, kernelSize: 3, padding: 1)
            let last = Conv2d(2, 2, kernelSize: 1)
            override func forward(_ x: Tensor) throws -> Tensor {
                let y = try conv(x)
                return try last(y.relu() + y)
            }
        }
        GlobalRandom.seed(2)
        let model = TwoReaders()
        let plan = try InferencePlan(model, inputShape: [2, 4, 4])
        XCTAssertEqual(plan.fusions, [])
        let input = Tensor.uniform([3, 2, 4, 4], low: -1, high: 1)
        model.eval()
        XCTAssertEqual(try plan(input).scalars, try withNoGrad { try model(input) }.scalars)
    }

    func testAnOpTheGraphCannotRunIsNamedWhenThePlanIsMade() throws {
        final class Opaque: Module {
            override func forward(_ input: Tensor) throws -> Tensor { Tensor(shape: input.shape, scalars: input.scalars.map { $0 * 2 }) }
        }
        final class WithOpaque: Module {
            let conv = Conv2d(1, 2, kernelSize: 3)
            let secret = Opaque()
            override func forward(_ x: Tensor) throws -> Tensor { try secret(conv(x)) }
        }
        XCTAssertThrowsError(try InferencePlan(WithOpaque(), inputShape: [1, 6, 6])) { error in
            XCTAssertEqual(error as? GraphError, .unsupportedOp(op: "Opaque.forward", path: "secret", moduleType: "Opaque",
                                                                pass: "InferencePlan",
                                                                reason: "it is not one of the ops a graph records with their attributes"))
        }
    }
}
