import XCTest
@testable import Swiftlet

/// The optimizers update sixteen parameters at a time and a run's last few through zero-padded
/// lanes (UpdateLanes.swift). PyTorch's fixtures have fewer than sixteen weights per tensor, so
/// here a 37-element tensor (two full runs of lanes and a tail of five) must step bit for bit as
/// 37 one-element tensors do.
final class OptimizerLaneTests: XCTestCase {
    func testSixteenLanesStepExactlyAsSingleElements() throws {
        let optimizers: [(String, ([Tensor]) -> Optimizer)] = [
            ("SGD", { SGD($0, lr: 0.01) }),
            ("SGD, momentum and dampening", { SGD($0, lr: 0.01, momentum: 0.9, dampening: 0.5) }),
            ("SGD, Nesterov and weight decay", { SGD($0, lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01) }),
            ("Adam, weight decay", { Adam($0, lr: 0.01, weightDecay: 0.1) }),
            ("AdamW", { Adam($0, lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true) }),
        ]
        let start = (0..<37).map { Float($0 - 18) / 7 }
        for (name, makeOptimizer) in optimizers {
            let whole = try Tensor(start, shape: [37], requiresGrad: true)
            let singles = try start.map { try Tensor([$0], shape: [1], requiresGrad: true) }
            let wholeOptimizer = makeOptimizer([whole]), singlesOptimizer = makeOptimizer(singles)
            for _ in 0..<5 {
                // A gradient that differs per element and changes from step to step: 3w².
                wholeOptimizer.zeroGrad()
                try (whole * whole * whole).sum().backward()
                wholeOptimizer.step()
                singlesOptimizer.zeroGrad()
                for single in singles { try (single * single * single).sum().backward() }
                singlesOptimizer.step()
            }
            XCTAssertEqual(whole.scalars, singles.flatMap(\.scalars), name)
            XCTAssertTrue(whole.scalars.allSatisfy(\.isFinite), name)
        }
    }
}
