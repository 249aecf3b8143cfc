import Foundation
import XCTest
@testable import Swiftlet

final class CheckpointTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A model with batch-norm buffers, trained a few steps so optimizer state exists.
    private func trainedModel(seed: UInt64) throws -> (Sequential, SGD) {
        GlobalRandom.seed(seed)
        let model = Sequential { ("fc1", Linear(4, 3)); ("bn", BatchNorm1d(3)); ReLU(); ("fc2", Linear(3, 2)) }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9, nesterov: true)
        for _ in 0..<3 {
            optimizer.zeroGrad()
            try crossEntropy(model(Tensor.normal([8, 4])), [0, 1, 1, 0, 1, 0, 0, 1]).backward()
            optimizer.step()
        }
        return (model, optimizer)
    }

    func testSaveAndLoadAreBitIdentical() throws {
        let (model, optimizer) = try trainedModel(seed: 1)
        let weights = folder.appendingPathComponent("model.safetensors")
        let state = folder.appendingPathComponent("optimizer.safetensors")
        try model.save(to: weights)
        try optimizer.saveState(to: state)

        let (restored, restoredOptimizer) = try trainedModel(seed: 2)
        try restored.load(from: weights)
        try restoredOptimizer.loadState(from: state)
        for ((name, a), (_, b)) in zip(model.stateDict, restored.stateDict) {
            XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), name)
        }
        XCTAssertEqual(restoredOptimizer.state, optimizer.state)
        XCTAssertEqual(restoredOptimizer.stepCount, optimizer.stepCount)
        XCTAssertEqual(restoredOptimizer.learningRate, optimizer.learningRate)
        XCTAssertEqual(try SafeTensorsFile.read(from: weights).tensors["bn.num_batches_tracked"]?.dtype, .int64)
    }

    /// Masks are part of the optimizer's state: a resumed run keeps pruned weights at zero.
    func testOptimizerStateHoldsItsMasks() throws {
        let (model, optimizer) = try trainedModel(seed: 1)
        let mask: [Float] = (0..<model.parameters[0].count).map { $0 % 3 == 0 ? 0 : 1 }
        try optimizer.setMask(mask, for: model.parameters[0])
        let state = folder.appendingPathComponent("optimizer.safetensors")
        try optimizer.saveState(to: state)

        let (_, restored) = try trainedModel(seed: 1)
        try restored.loadState(from: state)
        XCTAssertEqual(restored.masks, [0: mask])
        XCTAssertEqual(restored.state, optimizer.state)
    }

    func testLoadingTheWrongModelNamesFileAndTensor() throws {
        let weights = folder.appendingPathComponent("lenet.safetensors")
        try ModelZoo.entry("lenet300").make().save(to: weights)
        XCTAssertThrowsError(try ModelZoo.entry("mnist-net").make().load(from: weights)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("lenet.safetensors") && message.contains("conv1.weight"), message)
        }
        let narrow = Sequential { Flatten(); ("fc1", Linear(784, 30)); ReLU(); ("fc2", Linear(30, 100)); ReLU(); ("fc3", Linear(100, 10)) }
        XCTAssertThrowsError(try narrow.load(from: weights)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("fc1.weight") && message.contains("30"), message)
        }
    }

    func testTruncatedCheckpointIsATypedError() throws {
        let weights = folder.appendingPathComponent("cut.safetensors")
        let model = try ModelZoo.entry("mnist-net").make()
        try model.save(to: weights)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        XCTAssertThrowsError(try model.load(from: weights)) { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
    }

    func testOptimizerStateForAnotherOptimizerIsRejected() throws {
        let (model, optimizer) = try trainedModel(seed: 3)
        let state = folder.appendingPathComponent("sgd.safetensors")
        try optimizer.saveState(to: state)
        XCTAssertThrowsError(try Adam(model.parameters).loadState(from: state)) { XCTAssertTrue("\($0)".contains("SGD"), "\($0)") }
    }

    /// A damaged optimizer file — NaN momentum, a NaN or negative learning rate, a negative
    /// step count, a mask that is not 0/1 or of the wrong size — is refused with a message
    /// naming the file and the value, and the optimizer keeps its state.
    func testDamagedOptimizerStateIsRefusedAndChangesNothing() throws {
        let (model, optimizer) = try trainedModel(seed: 4)
        try optimizer.setMask((0..<model.parameters[0].count).map { $0 % 2 == 0 ? 0 : 1 }, for: model.parameters[0])
        let good = optimizer.stateFile
        let momentumKey = try XCTUnwrap(good.tensors.keys.sorted().first { !$0.hasPrefix("mask.") })
        let momentum = try good.floats(named: momentumKey)
        func damaged(_ change: (inout SafeTensorsFile) -> Void) -> SafeTensorsFile {
            var file = good
            change(&file)
            return file
        }
        let cases: [(SafeTensorsFile, String)] = [
            (damaged { $0.tensors[momentumKey] = SafeTensorsRecord(floats: [.nan] + momentum.dropFirst(), shape: [momentum.count]) }, "nan"),
            (damaged { $0.tensors[momentumKey] = SafeTensorsRecord(floats: [1, 2], shape: [2]) }, "2 values"),
            (damaged { $0.metadata["learning_rate"] = "nan" }, "learning_rate is nan"),
            (damaged { $0.metadata["learning_rate"] = "-0.1" }, "learning_rate is -0.1"),
            (damaged { $0.metadata["step_count"] = "-3" }, "step_count is -3"),
            (damaged { $0.tensors["mask.0"] = SafeTensorsRecord(floats: [0.5] + Array(repeating: 1, count: 11), shape: [12]) }, "holds 0.5 at element 0"),
            (damaged { $0.tensors["mask.0"] = SafeTensorsRecord(floats: [1, 0], shape: [2]) }, "2 entries"),
        ]
        let (_, fresh) = try trainedModel(seed: 5)
        let before = (fresh.state, fresh.masks, fresh.stepCount, fresh.learningRate)
        for (index, (file, expected)) in cases.enumerated() {
            let url = folder.appendingPathComponent("damaged-\(index).safetensors")
            try file.write(to: url)
            XCTAssertThrowsError(try fresh.loadState(from: url)) { error in
                XCTAssertTrue("\(error)".contains(url.lastPathComponent) && "\(error)".contains(expected), "\(error)")
            }
            XCTAssertEqual(fresh.state, before.0, "case \(index) changed the momentum")
            XCTAssertEqual(fresh.masks, before.1, "case \(index) changed the masks")
            XCTAssertEqual(fresh.stepCount, before.2)
            XCTAssertEqual(fresh.learningRate, before.3)
        }
    }
}
