import Foundation
import XCTest
@testable import Swiftlet

/// A checkpoint saved after structured pruning reads back from its file into a freshly built
/// model of the original architecture.
final class PrunedCheckpointTests: XCTestCase {
    private func makeModel() -> Sequential {
        Sequential {
            ("conv1", Conv2d(1, 6, kernelSize: 3)); ReLU(); MaxPool2d(2)
            Flatten(); ("fc1", Linear(6 * 3 * 3, 8)); ReLU(); ("fc2", Linear(8, 3))
        }
    }

    func testShrunkCheckpointFileLoadsAsTheSmallerModel() throws {
        GlobalRandom.seed(11)
        let model = makeModel()
        try model.pruneUnits(ofLayer: "conv1", inputShape: [1, 8, 8], fraction: 0.5)
        try model.pruneUnits(ofLayer: "fc1", inputShape: [1, 8, 8], fraction: 0.5)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pruned-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)

        let fresh = makeModel()
        XCTAssertThrowsError(try fresh.load(from: file))
        try fresh.loadPruned(from: file)
        XCTAssertEqual(fresh.stateDict.map(\.tensor.shape), [[3, 1, 3, 3], [3], [4, 27], [4], [3, 4], [3]])
        let input = Tensor.normal([2, 1, 8, 8])
        XCTAssertEqual(try fresh(input).scalars, try model(input).scalars)
    }

    func testAnUnrelatedCheckpointIsRefusedNamingTheFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Sequential { ("fc1", Linear(4, 2)) }.save(to: file)
        let model = makeModel()
        XCTAssertThrowsError(try model.loadPruned(from: file)) { error in
            XCTAssertTrue("\(error)".contains(file.lastPathComponent), "\(error)")
        }
        XCTAssertEqual(model.stateDict.map(\.tensor.shape), makeModel().stateDict.map(\.tensor.shape))
    }
}
