import Foundation
import ResNetExample
import Swiftlet
import SwiftletKernels
import XCTest
@testable import SwiftletCLI

/// The ResNet-20 example in smoke mode, so that it cannot rot: its experiment end to end on
/// a few generated CIFAR-10-format images, and every other pass on the example's model.
final class ResNet20ExampleTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-resnet20-\(UUID().uuidString)")
        try writeCIFARFolder(to: folder.appendingPathComponent("cifar"), imagesPerBatch: 32)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testTheExperimentRunsEveryStage() throws {
        let output = TextBuffer(), errors = TextBuffer()
        let tool = swiftletTool(name: "resnet20-tool", models: [ResNet20.entry],
                                experiments: [ResNet20CifarCompress(dataset: folder.appendingPathComponent("cifar").path)])
        let code = tool.run(["reproduce", "resnet20-cifar-compress", "--epochs", "1", "--threads", "2", "--json",
                             "--out", folder.appendingPathComponent("run").path], console: Console(output: output, diagnostics: errors))
        XCTAssertEqual(code, 0, errors.text)
        let stages = output.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(stages.map { $0["stage"] as? String }, ["trained", "int8", "channels-pruned", "pruned-finetuned", "pruned-int8"])
        let flops = stages.compactMap { $0["flops"] as? Int }
        XCTAssertEqual(flops[0], 81_626_368, "2 × 40.8 M multiply-adds")
        XCTAssertLessThanOrEqual(flops[2] * 2, flops[0], "pruning halves the multiply-adds")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/report.md").path))
    }

    /// auto-resnet20-flops on a model the library does not know (registered by the program):
    /// trained, profiled, and every allocation held to half the FLOPs by measurement.
    func testAutomaticCompressionTakesTheExample() throws {
        let stages = try runAutomaticCompression(["--epochs", "1"])
        XCTAssertEqual(stages.first?["stage"] as? String, "fp32")
        XCTAssertEqual(stages.dropFirst().first?["stage"] as? String, "auto-flops-2x")
        let flops = stages.compactMap { $0["flops"] as? Int }
        XCTAssertEqual(flops.count, stages.count)
        guard flops.count >= 2 else { return XCTFail("no compressed stage: \(stages)") }
        XCTAssertEqual(flops[0], 81_626_368, "2 × 40.8 M multiply-adds")
        for (stage, count) in zip(stages.dropFirst(), flops.dropFirst()) {
            XCTAssertLessThanOrEqual(count * 2, flops[0], "\(stage["stage"] ?? "")")
        }
    }

    /// auto-resnet20-flops trains its base exactly as `resnet20-cifar-compress --validation N`
    /// trains its `trained` stage (same split, recipe and seed), so that stage of such a run is
    /// a `--base` for it that changes nothing.
    func testAutomaticCompressionTrainsTheBaseOfAValidationRun() throws {
        let errors = TextBuffer()
        let tool = swiftletTool(name: "resnet20-tool", models: [ResNet20.entry],
                                experiments: [ResNet20CifarCompress(dataset: folder.appendingPathComponent("cifar").path)])
        let code = tool.run(["reproduce", "resnet20-cifar-compress", "--validation", "32", "--epochs", "2", "--threads", "2",
                             "--out", folder.appendingPathComponent("validation").path], console: Console(output: TextBuffer(), diagnostics: errors))
        XCTAssertEqual(code, 0, errors.text)
        _ = try runAutomaticCompression(["--epochs", "2"])
        let validationRun = ResNet20(), base = ResNet20()
        try validationRun.load(from: folder.appendingPathComponent("validation/trained.safetensors"))
        try base.load(from: folder.appendingPathComponent("auto/fp32.safetensors"))
        XCTAssertEqual(base.stateDict.map(\.name), validationRun.stateDict.map(\.name))
        XCTAssertEqual(base.stateDict.map(\.tensor.scalars), validationRun.stateDict.map(\.tensor.scalars))
    }

    /// `reproduce --base FILE`: the base model is read, not trained, and the report says where from.
    func testReproduceStartsFromABaseCheckpoint() throws {
        GlobalRandom.seed(5)
        let base = ResNet20()
        let file = folder.appendingPathComponent("base.safetensors")
        try base.save(to: file)
        let errors = TextBuffer()
        let stages = try runAutomaticCompression(["--epochs", "1", "--base", file.path], errors: errors)
        XCTAssertEqual(stages.first?["stage"] as? String, "fp32")
        XCTAssertFalse(errors.text.contains("fp32  epoch"), "no training epoch: \(errors.text)")
        let stored = ResNet20()
        try stored.load(from: folder.appendingPathComponent("auto/fp32.safetensors"))
        XCTAssertEqual(stored.stateDict.map(\.tensor.scalars), base.stateDict.map(\.tensor.scalars))
        let report = try String(contentsOf: folder.appendingPathComponent("auto/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("\(file.path) (reproduce --base), not trained in this run"), report)
    }

    /// Runs auto-resnet20-flops on the generated images (32 held out) and returns its JSON lines.
    private func runAutomaticCompression(_ arguments: [String], errors: TextBuffer = TextBuffer()) throws -> [[String: Any]] {
        let output = TextBuffer()
        let experiment = AutomaticCompressionExperiment.resNet20(dataset: folder.appendingPathComponent("cifar").path, validationImages: 32)
        let tool = swiftletTool(name: "resnet20-tool", models: [ResNet20.entry], experiments: [experiment])
        let code = tool.run(["reproduce", "auto-resnet20-flops", "--threads", "2", "--json", "--out", folder.appendingPathComponent("auto").path] + arguments,
                            console: Console(output: output, diagnostics: errors))
        XCTAssertEqual(code, 0, errors.text)
        return output.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func testEveryOtherPassTakesTheExample() throws {
        GlobalRandom.seed(3)
        let model = ResNet20()
        var generator = SeededRandom(seed: 4)
        let images = Tensor.normal([8, 3, 32, 32], generator: &generator), labels = (0..<8).map { $0 % 10 }
        func step(_ optimizer: Optimizer) throws {
            let loss = try crossEntropy(model(images), labels)
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
        }
        // Unstructured pruning with masks held through training.
        let masks = try pruneByMagnitude(model, .sparsity(0.5))
        XCTAssertEqual(masks.entries.count, 22, "19 convolutions, 2 projections and fc")
        let optimizer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
        try masks.apply(to: optimizer)
        try step(optimizer)
        XCTAssertEqual(try ModelFootprint(of: model, inputShape: [3, 32, 32]).weightSparsity, 50, accuracy: 0.1)
        // Low-rank factors in a @Child slot, and a checkpoint that reloads into a fresh model.
        XCTAssertEqual(try decompose(model, layer: "layer3.2.conv2", .rank(8)).rank, 8)
        let file = folder.appendingPathComponent("lowrank.safetensors")
        try model.save(to: file)
        let fresh = ResNet20()
        try fresh.loadPruned(from: file)
        XCTAssertTrue(fresh.submodule(at: "layer3.2.conv2") is Sequential)
        model.eval()
        fresh.eval()
        XCTAssertEqual(try withNoGrad { try fresh(images) }.scalars, try withNoGrad { try model(images) }.scalars)
        // The sparse inference form of the pruned classifier.
        XCTAssertEqual(try convertToSparse(fresh, minimumSparsity: 0.5), ["fc"])
        XCTAssertEqual(try withNoGrad { try fresh(images) }.scalars.count, 80)
        // Quantization-aware training of every convolution and the classifier.
        model.train()
        XCTAssertEqual(try prepareQuantization(model, weights: .affine(.int8Weights), activations: .int8Activations).count, 23)
        try step(SGD(model.parameters, lr: 0.01))
    }
}

/// A folder of CIFAR-10 binary batch files with `imagesPerBatch` records each: the class is
/// a bright square at one of ten places, the rest noise.
func writeCIFARFolder(to folder: URL, imagesPerBatch: Int) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    try Data((classes.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("batches.meta.txt"))
    var state: UInt32 = 7
    for file in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
        var bytes: [UInt8] = []
        for index in 0..<imagesPerBatch {
            let label = index % 10
            bytes.append(UInt8(label))
            for _ in 0..<3 {
                for row in 0..<32 {
                    for column in 0..<32 {
                        state = state &* 1_664_525 &+ 1_013_904_223
                        let inside = row / 16 == label / 5 && column / 7 == label % 5
                        bytes.append(inside ? 240 : UInt8(state >> 26))
                    }
                }
            }
        }
        try Data(bytes).write(to: folder.appendingPathComponent(file))
    }
}
