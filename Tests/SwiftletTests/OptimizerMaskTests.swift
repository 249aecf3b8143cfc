import XCTest
@testable import Swiftlet

/// Pruned weights must stay exactly zero through retraining: gradients, momentum and Adam
/// moments included (the source document's sample code loses its masks).
final class OptimizerMaskTests: XCTestCase {
    private func train(_ makeOptimizer: ([Tensor]) -> Optimizer) throws {
        GlobalRandom.seed(3)
        let layer = Linear(6, 4)
        let optimizer = makeOptimizer(layer.parameters)
        // Let momentum build up before pruning, as in prune-after-training.
        let x = Tensor.normal([16, 6]), target = Tensor.normal([16, 4])
        for _ in 0..<5 {
            optimizer.zeroGrad()
            try mseLoss(layer(x), target).backward()
            optimizer.step()
        }
        let mask = layer.weight.scalars.map { abs($0) < 0.2 ? Float(0) : 1 }
        XCTAssertTrue(mask.contains(0) && mask.contains(1))
        try optimizer.setMask(mask, for: layer.weight)
        for _ in 0..<200 {
            optimizer.zeroGrad()
            try mseLoss(layer(x), target).backward()
            optimizer.step()
        }
        for (weight, keep) in zip(layer.weight.scalars, mask) where keep == 0 {
            XCTAssertEqual(weight, 0)  // exactly, not approximately
        }
        XCTAssertTrue(zip(layer.weight.scalars, mask).contains { $0 != 0 && $1 == 1 })
    }

    func testMasksHoldThroughSGDWithMomentum() throws {
        try train { SGD($0, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3) }
    }

    func testMasksHoldThroughAdam() throws {
        try train { Adam($0, lr: 0.01) }
        try train { AdamW($0, lr: 0.01) }
    }

    /// A pruned checkpoint stores its masks as zeros: a fresh optimizer on the loaded model
    /// holds them through training; a dense model's optimizer masks nothing.
    func testHoldZerosKeepsACheckpointsZerosAndMasksNothingInADenseModel() throws {
        GlobalRandom.seed(8)
        let model = Sequential { Linear(6, 4); ReLU(); Linear(4, 3) }
        let dense = SGD(model.parameters, lr: 0.1)
        try dense.holdZeros(of: model)
        XCTAssertTrue(dense.masks.isEmpty)

        model.parameters[0].scalars[0...9] = ArraySlice(repeating: 0, count: 10)
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        try optimizer.holdZeros(of: model)
        XCTAssertEqual(Array(optimizer.masks.keys), [0], "only the tensor that has zeros is masked")
        let x = Tensor.normal([16, 6])
        for _ in 0..<20 {
            optimizer.zeroGrad()
            try crossEntropy(model(x), (0..<16).map { $0 % 3 }).backward()
            optimizer.step()
        }
        XCTAssertEqual(Array(model.parameters[0].scalars[0...9]), [Float](repeating: 0, count: 10))
        XCTAssertFalse(model.parameters[0].scalars[10...].contains(0))
    }

    func testMaskMustFitItsParameter() {
        let layer = Linear(2, 2)
        let optimizer = SGD(layer.parameters, lr: 0.1)
        assertThrows(try optimizer.setMask([1, 0], for: layer.weight), OptimizerError.maskSizeMismatch(entries: 2, shape: [2, 2]))
        assertThrows(try optimizer.setMask([1, 0, 1, 1], for: Tensor.zeros([4])), OptimizerError.notAParameter(op: "setMask", shape: [4]))
    }

    func testOptimizerStateRoundTripsExactly() throws {
        GlobalRandom.seed(4)
        let layer = Linear(3, 2)
        let adam = Adam(layer.parameters, lr: 0.01)
        try mseLoss(layer(Tensor.normal([4, 3])), Tensor.normal([4, 2])).backward()
        adam.step()
        let restored = Adam(layer.parameters, lr: 0.01)
        try restored.loadState(adam.state, stepCount: adam.stepCount)
        XCTAssertEqual(restored.state, adam.state)
        XCTAssertEqual(restored.stepCount, 1)
        assertThrows(try restored.loadState(["0.exp_avg": [1]], stepCount: 1), OptimizerError.stateSizeMismatch("0.exp_avg", count: 1, expected: 6))
        assertThrows(try restored.loadState(["0.exp_avg": [Float](repeating: 0, count: 6)], stepCount: 1), OptimizerError.missingState("0.exp_avg_sq"))
        var stray = adam.state
        stray["2.exp_avg"] = [0]
        assertThrows(try restored.loadState(stray, stepCount: 1), OptimizerError.unexpectedState("2.exp_avg", parameters: 2))
    }
}
