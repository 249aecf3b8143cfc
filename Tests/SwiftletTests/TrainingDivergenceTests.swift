import Foundation
import XCTest
@testable import Swiftlet

/// Training must stop, with a typed error, at the first non-finite loss or gradient, before
/// that step touches the weights; and no checkpoint is ever written with NaN or infinity.
final class TrainingDivergenceTests: XCTestCase {
    private func batches() -> [LabeledBatch] {
        GlobalRandom.seed(5)
        return (0..<6).map { _ in LabeledBatch(images: Tensor.normal([8, 6]), labels: (0..<8).map { $0 % 3 }) }
    }

    func testAHugeLearningRateStopsAtTheFirstNonFiniteLossWithTheWeightsStillFinite() throws {
        GlobalRandom.seed(6)
        let model = Sequential { Linear(6, 5); ReLU(); Linear(5, 3) }
        let optimizer = SGD(model.parameters, lr: 1e30)
        XCTAssertThrowsError(try trainEpoch(model, optimizer: optimizer, batches: batches(), batchCount: 6)) { error in
            guard let divergence = error as? TrainingDivergence, case let .loss(value) = divergence.quantity else {
                return XCTFail("\(error)")
            }
            XCTAssertFalse(value.isFinite)
            XCTAssertGreaterThan(divergence.step, 1, "the first loss of an untrained model is finite")
            XCTAssertEqual(optimizer.stepCount, divergence.step - 1, "every step before the one whose loss diverged, not that one")
            XCTAssertTrue(model.parameters.allSatisfy { $0.scalars.allFinite })
            XCTAssertTrue(divergence.description.contains("step \(divergence.step)") && divergence.description.contains("learning rate"),
                          divergence.description)
        }
    }

    func testANonFiniteGradientStopsTheStepBeforeTheUpdateAndNamesTheParameter() throws {
        GlobalRandom.seed(7)
        let model = Sequential { Linear(6, 3) }
        let before = model.stateDict.map(\.tensor.scalars)
        let optimizer = SGD(model.parameters, lr: 0.1)
        // A finite loss (0) whose gradient is infinite.
        let infiniteSlope: (Tensor, LabeledBatch) throws -> Tensor = { logits, _ in
            try Tensor.custom("infinite-slope", inputs: [logits], shape: [], scalars: [0]) { _ in
                [Tensor(repeating: .infinity, shape: logits.shape)]
            }
        }
        XCTAssertThrowsError(try trainEpoch(model, optimizer: optimizer, batches: batches(), batchCount: 6, loss: infiniteSlope)) { error in
            XCTAssertEqual((error as? TrainingDivergence)?.quantity, .gradient(parameter: "0.weight"))
            XCTAssertEqual((error as? TrainingDivergence)?.step, 1)
        }
        XCTAssertEqual(optimizer.stepCount, 0)
        XCTAssertEqual(model.stateDict.map(\.tensor.scalars), before)
    }

    func testTheEpochIsAddedByTheCallerThatKnowsIt() {
        let divergence = TrainingDivergence(.loss(.nan), step: 17, learningRate: 1000).inEpoch(3)
        XCTAssertEqual(divergence.description, "training diverged at epoch 3, step 17: the loss is nan. Hint: lower the learning rate (it was 1000.0)")
    }

    func testAllFiniteFindsNaNAndInfinityInTheVectorBodyAndTheTail() {
        XCTAssertTrue([Float]().allFinite)
        XCTAssertTrue([Float](repeating: .greatestFiniteMagnitude, count: 19).allFinite)
        for bad: Float in [.nan, .infinity, -.infinity] {
            for position in [0, 7, 8, 15, 16, 18] {
                var values = [Float](repeating: 1, count: 19)
                values[position] = bad
                XCTAssertFalse(values.allFinite, "\(bad) at \(position)")
            }
        }
    }

    func testACheckpointWithANonFiniteValueIsNotWritten() throws {
        let model = Sequential { Linear(2, 2) }
        model.parameters[1].scalars[1] = .nan
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nan-\(UUID().uuidString).safetensors")
        XCTAssertThrowsError(try model.save(to: url)) { error in
            XCTAssertEqual(error as? NonFiniteWeightsError, NonFiniteWeightsError(file: url.path, tensor: "0.bias", count: 1))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        try prepareQuantization(model, weights: .float16)
        XCTAssertThrowsError(try QuantizedCheckpoint(model: model))
    }
}
