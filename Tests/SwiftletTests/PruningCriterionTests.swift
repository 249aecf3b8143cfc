import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Random, magnitude (global) and Taylor pruning through `prune(_:by:_:)`: exact counts,
/// reproducible seeds, masks that only grow.
final class PruningCriterionTests: XCTestCase {
    private func makeModel() -> Sequential {
        GlobalRandom.seed(11)
        return Sequential { Flatten(); ("fc1", Linear(20, 10)); ReLU(); ("fc2", Linear(10, 4)) }
    }

    private func zeros(_ masks: PruningMasks) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: masks.entries.map { ($0.name, $0.mask.filter { $0 == 0 }.count) })
    }

    func testRandomMasksHaveExactPerLayerSparsityAndFollowTheSeed() throws {
        let model = makeModel()
        let biases = model.namedParameters.filter { $0.name.hasSuffix("bias") }.map(\.tensor.scalars)
        let masks = try prune(model, by: .random(seed: 5), .uniform(0.3))
        XCTAssertEqual(zeros(masks), ["fc1.weight": 60, "fc2.weight": 12])
        XCTAssertEqual(model.namedParameters.filter { $0.name.hasSuffix("bias") }.map(\.tensor.scalars), biases)
        for entry in masks.entries {
            for (weight, keep) in zip(entry.tensor.scalars, entry.mask) where keep == 0 { XCTAssertEqual(weight, 0) }
        }
        let same = try prune(makeModel(), by: .random(seed: 5), .uniform(0.3))
        let other = try prune(makeModel(), by: .random(seed: 6), .uniform(0.3))
        XCTAssertEqual(masks.entries.map(\.mask), same.entries.map(\.mask))
        XCTAssertNotEqual(masks.entries.map(\.mask), other.entries.map(\.mask))
    }

    func testGlobalMagnitudeUsesOneRankingAcrossLayers() throws {
        let model = makeModel()
        let before = model.namedParameters.filter { isPrunableWeight(name: $0.name, tensor: $0.tensor) }.map(\.tensor.scalars)
        let masks = try prune(model, by: .magnitude, .global(0.5))
        XCTAssertEqual(zeros(masks).values.reduce(0, +), 120)
        let pairs = zip(before.flatMap { $0 }, masks.entries.flatMap(\.mask))
        let largestRemoved = pairs.filter { $0.1 == 0 }.map { abs($0.0) }.max()!
        let smallestKept = pairs.filter { $0.1 == 1 }.map { abs($0.0) }.min()!
        XCTAssertLessThanOrEqual(largestRemoved, smallestKept)
        // The layers end up with different sparsities: that is what a global threshold does.
        XCTAssertNotEqual(Double(zeros(masks)["fc1.weight"]!) / 200, Double(zeros(masks)["fc2.weight"]!) / 40)
    }

    func testPerNameTargetsPruneOnlyTheNamedTensors() throws {
        let model = makeModel()
        let fc2 = model.namedParameters.first { $0.name == "fc2.weight" }!.tensor.scalars
        let masks = try prune(model, by: .magnitude, .byName(["fc1.weight": 0.9]))
        XCTAssertEqual(zeros(masks), ["fc1.weight": 180])
        XCTAssertEqual(model.namedParameters.first { $0.name == "fc2.weight" }!.tensor.scalars, fc2)
        assertThrows(try prune(model, by: .magnitude, .byName(["fc9.weight": 0.5])),
                     PruningError.unknownParameter("fc9.weight", selected: ["fc1.weight", "fc2.weight"]))
        assertThrows(try prune(model, by: .magnitude, .uniform(1.5)), PruningError.sparsityOutOfRange(1.5, setting: "sparsity", accepted: "[0, 1]"))
        assertThrows(try prune(model, by: .magnitude, .uniform(0.5), select: { _, _ in false }),
                     PruningError.nothingSelected(parameters: ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]))
        assertThrows(try prune(model, by: .scores(["fc1.weight": [1, 2]]), .uniform(0.5)),
                     PruningError.scoreCountMismatch(target: "\"fc1.weight\"", count: 2, expected: 200))
        assertThrows(try prune(model, by: .taylor([]), .uniform(0.5)), PruningError.noBatches)
    }

    func testMasksOnlyGrowWhenPruningAgain() throws {
        let model = makeModel()
        let first = try prune(model, by: .random(seed: 1), .uniform(0.4))
        let second = try prune(model, by: .random(seed: 2), .uniform(0.7), keeping: first)
        XCTAssertEqual(zeros(second), ["fc1.weight": 140, "fc2.weight": 28])
        for (old, new) in zip(first.entries, second.entries) {
            for (was, now) in zip(old.mask, new.mask) where was == 0 { XCTAssertEqual(now, 0) }
        }
    }

    func testMasksAreRecoveredFromACheckpointsZeros() throws {
        let model = makeModel()
        let masks = try prune(model, by: .random(seed: 9), .global(0.6))
        let reloaded = makeModel()
        try reloaded.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) }))
        let recovered = PruningMasks(zerosOf: reloaded)
        XCTAssertEqual(recovered.entries.map(\.name), masks.entries.map(\.name))
        XCTAssertEqual(recovered.entries.map(\.mask), masks.entries.map(\.mask))
    }

    func testTaylorImportanceIsWeightTimesGradient() throws {
        let model = makeModel()
        var generator = SeededRandom(seed: 2)
        let batches = (0..<2).map { _ in
            LabeledBatch(images: Tensor.normal([6, 1, 4, 5], generator: &generator), labels: (0..<6).map { $0 % 4 })
        }
        let importance = try taylorImportance(model, batches: batches)
        XCTAssertEqual(Set(importance.keys), ["fc1.weight", "fc2.weight"])
        var expected = [Float](repeating: 0, count: 40)
        let fc2 = model.namedParameters.first { $0.name == "fc2.weight" }!.tensor
        for batch in batches {
            model.zeroGrad()
            try crossEntropy(model(batch.images), batch.labels).backward()
            for i in 0..<40 { expected[i] += abs(fc2.scalars[i] * fc2.grad!.scalars[i]) / 2 }
        }
        assertClose(importance["fc2.weight"]!, expected, rtol: 1e-5, atol: 1e-7, "Taylor importance of fc2")
    }

    func testTaylorPruningRemovesWeightsOfDeadInputsFirst() throws {
        let model = makeModel()
        var generator = SeededRandom(seed: 3)
        // Inputs 0 and 1 are always zero: their fc1 weights get no gradient, importance 0.
        let images = Tensor.normal([8, 1, 4, 5], generator: &generator)
        for row in 0..<8 { images.scalars[row * 20] = 0; images.scalars[row * 20 + 1] = 0 }
        let batch = LabeledBatch(images: images, labels: (0..<8).map { $0 % 4 })
        let masks = try prune(model, by: .taylor([batch]), .byName(["fc1.weight": 0.1]))
        let mask = masks.entries[0].mask
        for row in 0..<10 { XCTAssertEqual([mask[row * 20], mask[row * 20 + 1]], [0, 0]) }
        XCTAssertEqual(mask.filter { $0 == 0 }.count, 20)
        XCTAssertTrue(model.parameters.allSatisfy { $0.grad == nil })
    }
}
