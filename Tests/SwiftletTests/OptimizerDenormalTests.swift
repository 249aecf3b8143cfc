import XCTest
@testable import Swiftlet

/// A weight whose gradient becomes 0 for good (a dead ReLU unit's) must not leave its
/// optimizer state stuck at a denormal: 0.9 × the smallest denormal rounds back to it, and on
/// x86 every multiply by a denormal is a ~100× slower microcode assist (distillation ran 4×
/// slower for it). The state must reach exactly 0 instead.
final class OptimizerDenormalTests: XCTestCase {
    /// One step with gradient 1, then `zeroSteps` steps with gradient exactly 0.
    private func decayingState(_ makeOptimizer: ([Tensor]) -> Optimizer, zeroSteps: Int) throws -> [Float] {
        let weight = try Tensor([0.5, -0.5, 2, -2], shape: [4], requiresGrad: true)
        let optimizer = makeOptimizer([weight])
        for step in 0...zeroSteps {
            optimizer.zeroGrad()
            try (weight * Float(step == 0 ? 1 : 0)).sum().backward()
            optimizer.step()
        }
        XCTAssertTrue(weight.scalars.allSatisfy(\.isNormal))
        return optimizer.state.values.flatMap { $0 }
    }

    func testMomentumOfAWeightWithoutGradientReachesZeroNotADenormal() throws {
        // 0.9ᵏ passes 2⁻¹⁴⁹ (the smallest denormal) after about 980 steps.
        let state = try decayingState({ SGD($0, lr: 0.01, momentum: 0.9) }, zeroSteps: 1_200)
        XCTAssertFalse(state.isEmpty)
        XCTAssertEqual(state, [Float](repeating: 0, count: state.count))
    }

    func testAdamMomentsOfAWeightWithoutGradientReachZeroNotADenormal() throws {
        // β = 0.9 for both moments: with 0.5, half the smallest denormal would round to 0 anyway.
        let state = try decayingState({ Adam($0, lr: 0.01, betas: (0.9, 0.9)) }, zeroSteps: 1_200)
        XCTAssertEqual(state.count, 8)
        XCTAssertEqual(state, [Float](repeating: 0, count: state.count))
    }
}
