import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Physical removal of filters and neurons: the smaller model computes what the original
/// computes with those units zeroed, and it saves and loads at its new size.
final class StructuredPruningTests: XCTestCase {
    /// conv → BatchNorm → pool → conv → Flatten → fc → fc: every removal rule in one model.
    private func makeModel(seed: UInt64 = 21) -> Sequential {
        GlobalRandom.seed(seed)
        let model = Sequential {
            ("conv1", Conv2d(2, 6, kernelSize: 3, padding: 1)); ("bn1", BatchNorm2d(6)); ReLU(); MaxPool2d(2)
            ("conv2", Conv2d(6, 8, kernelSize: 3)); ReLU()
            Flatten(); ("fc1", Linear(8 * 2 * 2, 12)); ReLU(); Dropout(0.3); ("fc2", Linear(12, 5))
        }
        // Non-trivial normalisation, so that a forgotten BatchNorm channel would show.
        let norm = model.layers[1].module as! BatchNorm
        norm.runningMean = Tensor.uniform([6], low: -0.5, high: 0.5)
        norm.runningVar = Tensor.uniform([6], low: 0.5, high: 2)
        norm.weight = Tensor.uniform([6], low: 0.5, high: 1.5, requiresGrad: true)
        norm.bias = Tensor.uniform([6], low: -0.3, high: 0.3, requiresGrad: true)
        model.eval()
        return model
    }

    private func copy(_ model: Sequential) throws -> Sequential {
        let twin = makeModel(seed: 99)
        try twin.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) }))
        twin.eval()
        return twin
    }

    private let shape = [2, 8, 8]

    private let input: Tensor = {
        var generator = SeededRandom(seed: 8)
        return Tensor.normal([3, 2, 8, 8], generator: &generator)
    }()

    func testRemovedUnitsMatchZeroedUnitsAndShrinkTheModel() throws {
        let model = makeModel()
        let reference = try copy(model)
        let removals: [(layer: String, units: [Int])] = [("conv1", [0, 4]), ("conv2", [1, 2, 7]), ("fc1", [3, 5, 6, 11])]
        for (layer, units) in removals {
            try reference.zeroUnits(units, ofLayer: layer, inputShape: shape)
            try model.removeUnits(units, fromLayer: layer, inputShape: shape)
        }
        let expected = try reference(input), actual = try model(input)
        XCTAssertEqual(actual.shape, [3, 5])
        assertClose(actual.scalars, expected.scalars, rtol: 1e-5, atol: 1e-6, "shrunk vs zeroed model")

        let shapes = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(shapes["conv1.weight"], [4, 2, 3, 3])
        XCTAssertEqual(shapes["bn1.running_var"], [4])
        XCTAssertEqual(shapes["conv2.weight"], [5, 4, 3, 3])
        XCTAssertEqual(shapes["fc1.weight"], [8, 20])
        XCTAssertEqual(shapes["fc2.weight"], [5, 8])
        // conv1 4·18+4, bn1 2·4, conv2 5·36+5, fc1 8·20+8, fc2 5·8+5.
        XCTAssertEqual(model.parameterCount, 76 + 8 + 185 + 168 + 45)
        XCTAssertEqual(reference.parameterCount, 114 + 12 + 440 + 396 + 65)
    }

    func testPruneUnitsRemovesTheLowestNormFilters() throws {
        let model = makeModel()
        let conv = model.layers[0].module as! Conv2d
        for (filter, scale) in [(2, Float(0.01)), (5, 0.02), (1, 0.03)] {
            for i in filter * 18 ..< (filter + 1) * 18 { conv.weight.scalars[i] *= scale }
        }
        let norms = try model.unitImportance(ofLayer: "conv1", inputShape: shape, .l1Norm)
        XCTAssertEqual(norms[2], Double(conv.weight.scalars[36..<54].reduce(0) { $0 + abs($1) }), accuracy: 1e-6)
        XCTAssertEqual(try model.pruneUnits(ofLayer: "conv1", inputShape: shape, fraction: 0.5, by: .l1Norm), [1, 2, 5])
        XCTAssertEqual(try model.unitCount(ofLayer: "conv1", inputShape: shape), 3)
        XCTAssertEqual(try model.pruneUnits(ofLayer: "fc1", inputShape: shape, fraction: 0.5, by: .scores((0..<12).map { Double(12 - $0) })),
                       [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(try model(input).shape, [3, 5])
        XCTAssertEqual(try model.pruneUnits(ofLayer: "conv2", inputShape: shape, fraction: 1, by: .l2Norm).count, 7, "one unit always stays")
    }

    func testUnitsThatCannotBeRemovedExactlyAreRefused() throws {
        let model = makeModel()
        XCTAssertThrowsError(try model.removeUnits([0], fromLayer: "fc2", inputShape: shape)) {     // the output layer
            guard case .channelsBlocked(layers: ["fc2"], reason: _)? = $0 as? PruningError else { return XCTFail("\($0)") }
        }
        assertThrows(try model.removeUnits([12], fromLayer: "fc1", inputShape: shape), PruningError.channelOutOfRange(12, layers: ["fc1"], channels: 12))
        assertThrows(try model.removeUnits(Array(0..<12), fromLayer: "fc1", inputShape: shape), PruningError.removesEveryChannel(layers: ["fc1"], channels: 12))
        assertThrows(try model.removeUnits([0], fromLayer: "bn1", inputShape: shape),
                     PruningError.notAChannelProducer("bn1", producers: ["conv1", "conv2", "fc1", "fc2"]))
        assertThrows(try model.pruneUnits(ofLayer: "fc1", inputShape: shape, fraction: 0.5, by: .scores([1, 2])),
                     PruningError.scoreCountMismatch(target: "the channel group of fc1", count: 2, expected: 12))
        let squashed = Sequential { ("fc1", Linear(4, 3)); Sigmoid(); ("fc2", Linear(3, 2)) }
        XCTAssertThrowsError(try squashed.removeUnits([0], fromLayer: "fc1", inputShape: [4])) {   // sigmoid(0) ≠ 0
            guard case .channelsBlocked(layers: ["fc1"], reason: _)? = $0 as? PruningError else { return XCTFail("\($0)") }
        }
    }

    func testShrunkCheckpointLoadsIntoAFreshModel() throws {
        let model = makeModel()
        try model.pruneUnits(ofLayer: "conv1", inputShape: shape, fraction: 0.5)
        try model.pruneUnits(ofLayer: "fc1", inputShape: shape, fraction: 0.25)
        let saved = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) })
        let fresh = makeModel(seed: 5)
        XCTAssertThrowsError(try fresh.loadStateDict(saved))
        try fresh.loadPrunedStateDict(saved)
        fresh.eval()
        XCTAssertEqual(fresh.parameterCount, model.parameterCount)
        XCTAssertEqual(try fresh(input).scalars, try model(input).scalars)

        let untouched = makeModel(seed: 6)
        var broken = saved
        broken["conv2.weight"] = Tensor.zeros([8, 3, 5, 5])
        XCTAssertThrowsError(try untouched.loadPrunedStateDict(broken))
        XCTAssertEqual(untouched.stateDict.map(\.tensor.shape), makeModel(seed: 6).stateDict.map(\.tensor.shape))
    }

    func testUnitSensitivityMeasuresTheLossOfRemovingEachUnit() throws {
        let model = makeModel()
        let labels = [0, 3, 4]
        let loss = { Double(try withNoGrad { try crossEntropy(model(self.input), labels).item }) }
        let before = model.stateDict.map(\.tensor.scalars)
        let changes = try model.unitSensitivity(ofLayer: "conv1", inputShape: shape, evaluate: loss)
        XCTAssertEqual(model.stateDict.map(\.tensor.scalars), before, "the model is restored")
        XCTAssertEqual(changes.count, 6)
        let reference = try copy(model)
        try reference.zeroUnits([4], ofLayer: "conv1", inputShape: shape)
        let zeroedLoss = Double(try crossEntropy(reference(input), labels).item)
        XCTAssertEqual(changes[4], zeroedLoss - (try loss()), accuracy: 1e-6)
        XCTAssertTrue(changes.contains { $0 != 0 })
    }
}
