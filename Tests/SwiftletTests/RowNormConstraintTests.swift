import XCTest
@testable import Swiftlet

/// The max-norm weight constraint (Hinton et al. 2012): rows over the bound are scaled onto
/// it after every step, rows within it are untouched, pruned zeros stay zero.
final class RowNormConstraintTests: XCTestCase {
    private func rowNorms(_ tensor: Tensor) -> [Float] {
        let width = tensor.count / tensor.shape[0]
        return (0..<tensor.shape[0]).map { row in
            tensor.scalars[row * width..<(row + 1) * width].reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
    }

    func testRowsOverTheBoundAreScaledOntoItAndTheOthersKeptExactly() throws {
        let weight = try Tensor([3, 4, 0, 0, /* norm 5 */ 0.6, 0.8, 0, 0, /* norm 1 */ 0, 0, 0, 0], shape: [3, 4], requiresGrad: true)
        let optimizer = SGD([weight], lr: 0.1)
        try optimizer.constrainRowNorms(of: weight, to: 2)
        XCTAssertEqual(Array(weight.scalars[0..<4]), [1.2, 1.6, 0, 0])  // direction kept, norm 2
        XCTAssertEqual(Array(weight.scalars[4...]), [0.6, 0.8, 0, 0, 0, 0, 0, 0])
    }

    func testTheBoundHoldsAfterEveryStepOfTraining() throws {
        GlobalRandom.seed(5)
        let layer = Linear(8, 6)
        let optimizer = SGD(layer.parameters, lr: 0.5, momentum: 0.9)
        try optimizer.constrainRowNorms(of: layer.weight, to: 0.9)
        let x = Tensor.normal([32, 8]), target = Tensor.normal([32, 6], std: 10)
        var reachedTheBound = false
        for _ in 0..<50 {
            optimizer.zeroGrad()
            try mseLoss(layer(x), target).backward()
            let before = layer.weight.scalars
            optimizer.step()
            for norm in rowNorms(layer.weight) { XCTAssertLessThanOrEqual(norm, 0.9 * (1 + 1e-5)) }
            reachedTheBound = reachedTheBound || rowNorms(layer.weight).contains { abs($0 - 0.9) < 1e-4 }
            XCTAssertNotEqual(before, layer.weight.scalars)
        }
        XCTAssertTrue(reachedTheBound, "the large target must push some row onto the bound, or the test checks nothing")
    }

    func testMaskedWeightsStayZeroUnderTheConstraint() throws {
        GlobalRandom.seed(6)
        let layer = Linear(5, 4)
        let optimizer = SGD(layer.parameters, lr: 0.5)
        let mask = (0..<20).map { Float($0 % 3 == 0 ? 0 : 1) }
        try optimizer.setMask(mask, for: layer.weight)
        try optimizer.constrainRowNorms(of: layer.weight, to: 0.3)
        let x = Tensor.normal([16, 5]), target = Tensor.normal([16, 4], std: 5)
        for _ in 0..<20 {
            optimizer.zeroGrad()
            try mseLoss(layer(x), target).backward()
            optimizer.step()
        }
        for (weight, keep) in zip(layer.weight.scalars, mask) where keep == 0 { XCTAssertEqual(weight, 0) }
    }

    func testBadBoundsAndTensorsAreRefused() throws {
        let layer = Linear(3, 2)
        let optimizer = SGD(layer.parameters, lr: 0.1)
        for bound: Float in [0, -1, .infinity] {
            XCTAssertThrowsError(try optimizer.constrainRowNorms(of: layer.weight, to: bound)) {
                XCTAssertEqual($0 as? OptimizerError, .invalidMaxNorm(bound))
            }
        }
        XCTAssertThrowsError(try optimizer.constrainRowNorms(of: layer.weight, to: .nan)) {
            guard case let .invalidMaxNorm(bound) = $0 as? OptimizerError, bound.isNaN else { return XCTFail("\($0)") }
        }
        let bias = try XCTUnwrap(layer.bias)
        XCTAssertThrowsError(try optimizer.constrainRowNorms(of: bias, to: 1)) {
            XCTAssertEqual($0 as? OptimizerError, .noRows(op: "constrainRowNorms", shape: [2]))
        }
        XCTAssertThrowsError(try optimizer.constrainRowNorms(of: Linear(3, 2).weight, to: 1)) {
            XCTAssertEqual($0 as? OptimizerError, .notAParameter(op: "constrainRowNorms", shape: [2, 3]))
        }
        XCTAssertTrue(optimizer.maxNorms.isEmpty)
    }
}
