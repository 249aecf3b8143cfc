import XCTest
@testable import Swiftlet

/// Pruning checks that no other test reaches throw their `PruningError` case.
final class PruningErrorTests: XCTestCase {
    private func makeModel() -> Sequential {
        GlobalRandom.seed(3)
        return Sequential { ("fc1", Linear(4, 8)); ReLU(); ("fc2", Linear(8, 2)) }
    }

    func testChannelPruningTargetsMustBeReachable() throws {
        let model = makeModel()
        assertThrows(try model.pruneChannels(inputShape: [4], macsReduction: 0), PruningError.macsReductionOutOfRange(0))
        assertThrows(try model.pruneChannels(inputShape: [4], macsReduction: 0.5, roundTo: 0), PruningError.invalidRoundTo(0))
        // 48 MACs; one unit of fc1 leaves 4 + 2 = 6, more than 5 % of them.
        assertThrows(try model.pruneChannels(inputShape: [4], macsReduction: 0.95), PruningError.macsReductionUnreachable(0.95))
        XCTAssertEqual(model.parameterCount, 4 * 8 + 8 + 8 * 2 + 2, "a refused pruning changes nothing")
    }

    func testRemovalNamesAGroupThatExists() throws {
        let dependencies = try makeModel().channelDependencies(inputShape: [4])
        assertThrows(try dependencies.remove([dependencies.groups.count: [0]]), PruningError.noChannelGroup(dependencies.groups.count, groups: dependencies.groups.count))
    }

    func testSensitivityNeedsASelection() {
        let model = makeModel()
        assertThrows(try layerSensitivity(model, sparsities: [0.5], select: { _, _ in false }) { 0 },
                     PruningError.nothingSelected(parameters: ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]))
        assertThrows(try layerSensitivity(model, sparsities: [2]) { 0 }, PruningError.sparsityOutOfRange(2, setting: "sparsity", accepted: "[0, 1]"))
        assertThrows(try pruneByMagnitude(model, .sparsity(1)), PruningError.sparsityOutOfRange(1, setting: "sparsity", accepted: "[0, 1)"))
    }

    func testMessagesCarryTheValues() {
        XCTAssertEqual("\(PruningError.unknownParameter("fc9.weight", selected: ["fc1.weight"]))",
                       "no selected parameter is named \"fc9.weight\"; selected: fc1.weight")
        XCTAssertEqual("\(PruningError.nothingSelected(parameters: []))", "no parameters were selected for pruning; the model's parameters: none")
        XCTAssertEqual("\(PruningError.macsReductionUnreachable(0.95))",
                       "a MACs reduction of 0.95 is out of reach: even one channel per group leaves more than 5 % of the MACs")
    }
}
