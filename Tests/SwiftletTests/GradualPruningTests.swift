import XCTest
@testable import Swiftlet

/// The AGP schedule, the prune–retrain driver and per-layer sensitivity analysis.
final class GradualPruningTests: XCTestCase {
    func testGradualScheduleFollowsTheCubic() throws {
        let schedule = try GradualPruningSchedule(initialSparsity: 0.1, finalSparsity: 0.9, startStep: 2, frequency: 2, intervals: 4)
        XCTAssertEqual(schedule.endStep, 10)
        XCTAssertEqual(schedule.sparsity(atStep: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(schedule.sparsity(atStep: 6), 0.9 - 0.8 * 0.125, accuracy: 1e-6)
        XCTAssertEqual(schedule.sparsity(atStep: 8), 0.9 - 0.8 * 0.015625, accuracy: 1e-6)
        XCTAssertEqual(schedule.sparsity(atStep: 50), 0.9)
        let targets = (0...12).map { schedule.targetSparsity(atStep: $0) }
        XCTAssertEqual(targets.map { $0 != nil }, [false, false, true, false, true, false, true, false, true, false, true, false, false])
        XCTAssertEqual(targets[2]!, 0.1, accuracy: 1e-6)
        XCTAssertEqual(targets[10]!, 0.9, accuracy: 1e-6)
        assertThrows(try GradualPruningSchedule(finalSparsity: 1.2, intervals: 3),
                     PruningError.sparsityOutOfRange(1.2, setting: "final sparsity of GradualPruningSchedule", accepted: "[0, 1]"))
        assertThrows(try GradualPruningSchedule(finalSparsity: 0.5, frequency: 0, intervals: 3),
                     PruningError.invalidSchedule(startStep: 0, frequency: 0, intervals: 3))
    }

    func testPruningRounds() throws {
        let rounds = try PruningRounds(sparsities: [0.5, 0.8], stepsPerRound: 3)
        XCTAssertEqual((0..<7).map { rounds.targetSparsity(atStep: $0) }, [0.5, nil, nil, 0.8, nil, nil, nil])
        XCTAssertEqual(rounds.totalSteps, 6)
        assertThrows(try PruningRounds(sparsities: [0.5], stepsPerRound: 0), PruningError.invalidStepsPerRound(0))
        assertThrows(try PruningRounds(sparsities: [0.5, -0.1], stepsPerRound: 2),
                     PruningError.sparsityOutOfRange(-0.1, setting: "a sparsity of PruningRounds", accepted: "[0, 1]"))
    }

    func testIterativePruningReachesTheTargetAndMasksHoldAndGrow() throws {
        GlobalRandom.seed(31)
        let model = Sequential { ("fc1", Linear(8, 16)); ReLU(); ("fc2", Linear(16, 3)) }
        let x = Tensor.normal([32, 8]), labels = (0..<32).map { $0 % 3 }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        let schedule = try GradualPruningSchedule(finalSparsity: 0.8, startStep: 1, frequency: 2, intervals: 3)
        var pruned: [Set<Int>] = []
        let weights = model.namedParameters.filter { isPrunableWeight(name: $0.name, tensor: $0.tensor) }.map(\.tensor)
        let (masks, history) = try pruneIteratively(
            model, optimizer: optimizer, schedule: schedule, steps: 9, target: SparsityTarget.global,
            evaluateAfterPruning: true,
            train: { _ in
                for _ in 0..<5 {
                    optimizer.zeroGrad()
                    try crossEntropy(model(x), labels).backward()
                    optimizer.step()
                }
                pruned.append(Set(weights.flatMap(\.scalars).indices.filter { weights.flatMap(\.scalars)[$0] == 0 }))
            },
            evaluate: { Double(try withNoGrad { try crossEntropy(model(x), labels).item }) })
        XCTAssertEqual(history.count, 9)
        XCTAssertEqual(history.compactMap(\.targetSparsity).count, 4)
        XCTAssertNil(history[0].targetSparsity)
        XCTAssertNotNil(history[1].metricAfterPruning)
        XCTAssertEqual(masks.sparsity, 141.0 / 176)  // round(0.8 · 176) of 176 weights
        XCTAssertEqual(history.last!.sparsity, masks.sparsity)
        // Masks only grow, and every masked weight is still zero after training.
        for (earlier, later) in zip(pruned, pruned.dropFirst()) { XCTAssertTrue(earlier.isSubset(of: later)) }
        XCTAssertEqual(pruned.last!.count, Int((0.8 * 176).rounded()))
    }

    func testScheduledPrunerPrunesBetweenOptimizerStepsOfAnEpoch() throws {
        GlobalRandom.seed(33)
        let model = Sequential { ("fc1", Linear(6, 10)); ReLU(); ("fc2", Linear(10, 3)) }
        let batches = (0..<9).map { _ in LabeledBatch(images: Tensor.normal([4, 6]), labels: [0, 1, 2, 0]) }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        // Prunes before batches 1, 3, 5 and 7 (t₀ = 1, Δt = 2), to 30 % · (1 − (1 − k/3)³) of 90 weights, k = 0…3.
        let schedule = try GradualPruningSchedule(finalSparsity: 0.3, startStep: 1, frequency: 2, intervals: 3)
        let pruner = try ScheduledPruner(model, optimizer: optimizer, schedule: schedule, target: SparsityTarget.global)
        var zerosAfterEachBatch: [Int] = []
        _ = try trainEpoch(model, optimizer: optimizer, batches: batches, batchCount: batches.count,
                           beforeBatch: { try pruner.advance() },
                           progress: { _ in
                               zerosAfterEachBatch.append(model.parameters.filter { $0.shape.count == 2 }.flatMap(\.scalars).filter { $0 == 0 }.count)
                           })
        XCTAssertEqual(pruner.step, 9)
        XCTAssertEqual(zerosAfterEachBatch, [0, 0, 0, 19, 19, 26, 26, 27, 27])
        XCTAssertEqual(pruner.masks.sparsity, 27.0 / 90)
    }

    func testLayerSensitivityPrunesOneLayerAtATimeAndRestoresIt() throws {
        GlobalRandom.seed(32)
        let model = Sequential { ("fc1", Linear(6, 10)); ReLU(); ("fc2", Linear(10, 4)) }
        let x = Tensor.normal([16, 6]), labels = (0..<16).map { $0 % 4 }
        let before = model.stateDict.map(\.tensor.scalars)
        var zeroCounts: [Int] = []
        let (baseline, layers) = try layerSensitivity(model, sparsities: [0, 0.5, 1]) {
            zeroCounts.append(model.parameters.flatMap(\.scalars).filter { $0 == 0 }.count)
            return Double(try withNoGrad { try crossEntropy(model(x), labels).item })
        }
        XCTAssertEqual(model.stateDict.map(\.tensor.scalars), before)
        XCTAssertEqual(layers.map(\.name), ["fc1.weight", "fc2.weight"])
        XCTAssertEqual(layers[0].metrics[0], baseline)
        XCTAssertNotEqual(layers[1].metrics[2], baseline)
        XCTAssertEqual(zeroCounts, [0, 0, 30, 60, 0, 20, 40])
    }
}
