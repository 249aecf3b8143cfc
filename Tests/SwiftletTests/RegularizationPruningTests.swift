import XCTest
@testable import Swiftlet

/// L1 and L2 penalties, the differentiable terms that drive weights to zero before thresholding.
final class RegularizationPruningTests: XCTestCase {
    func testPenaltyValues() throws {
        let a = try Tensor([1, -2, 0, 0.5], shape: [2, 2]), b = try Tensor([-3], shape: [1])
        XCTAssertEqual(try l1Penalty([a, b]).item, 6.5)
        XCTAssertEqual(try l2Penalty([a, b]).item, 14.25)
    }

    func testPenaltyGradientsMatchCentralDifferences() throws {
        try checkGradients([spreadTensor([3, 4], seed: 1), spreadTensor([5], seed: 2)]) { l1Penalty($0) }
        try checkGradients([spreadTensor([3, 4], seed: 3), spreadTensor([5], seed: 4)]) { l2Penalty($0) }
    }

    func testL1SubgradientAtZeroIsZero() throws {
        let w = try Tensor([0, 2, -1, 0], shape: [4], requiresGrad: true)
        try (l1Penalty([w]) * 3).backward()
        XCTAssertEqual(w.grad?.scalars, [0, 3, -3, 0])
    }

    func testModelPenaltySelectsWeightsOnly() throws {
        GlobalRandom.seed(1)
        let model = Sequential { ("fc", Linear(3, 2)) }
        let layer = model.layers[0].module as! Linear
        let penalty = l1Penalty(model)
        XCTAssertEqual(try penalty.item, layer.weight.scalars.reduce(0) { $0 + abs($1) }, accuracy: 1e-6)
        try penalty.backward()
        XCTAssertNil(layer.bias?.grad)
        XCTAssertEqual(layer.weight.grad?.scalars, layer.weight.scalars.map { $0 > 0 ? 1 : -1 })
        let everything = l2Penalty(model) { _, _ in true }
        XCTAssertEqual(try everything.item, model.parameters.flatMap(\.scalars).reduce(0) { $0 + $1 * $1 }, accuracy: 1e-6)
    }
}
