import XCTest
import Swiftlet

// The README's "Your own model" snippets, compiled and run here (DocsTests checks that the
// README shows these regions byte for byte).

// ANCHOR: own-model
final class Block: Module {
    @Child var conv1: Module = Conv2d(16, 16, kernelSize: 3, padding: 1, bias: false)
    let bn1 = BatchNorm2d(16)
    let conv2 = Conv2d(16, 16, kernelSize: 3, padding: 1, bias: false)
    let bn2 = BatchNorm2d(16)

    override func forward(_ x: Tensor) throws -> Tensor {
        try (bn2(conv2(bn1(conv1(x)).relu())) + x).relu()
    }
}
// ANCHOR_END: own-model

final class ReadmeSnippetTests: XCTestCase {
    func testEveryPassOnTheReadmesOwnModel() throws {
        GlobalRandom.seed(0)
        let model = Sequential {
            ("conv1", Conv2d(3, 16, kernelSize: 3, padding: 1, bias: false)); ("bn1", BatchNorm2d(16)); ReLU()
            ("layer1", Sequential { Block(); Block() })
            GlobalAvgPool2d(); Flatten(); ("fc", Linear(16, 10))
        }
        let batches = (0..<2).map { _ in Tensor.normal([4, 3, 32, 32]) }
        let flops = try ModelFootprint(of: model, inputShape: [3, 32, 32]).flops
        // ANCHOR: own-model-passes
        try model.pruneChannels(inputShape: [3, 32, 32], macsReduction: 0.5)   // channels tied by the skip go together
        let int8 = try Int8InferenceModel(model, inputShape: [3, 32, 32], calibration: batches)  // BN folded, adds in integer
        try decompose(model, layer: "layer1.0.conv1", .rank(8))
        let plan = try InferencePlan(model, inputShape: [3, 32, 32])   // float inference: BN folded, conv + add + ReLU fused
        // ANCHOR_END: own-model-passes
        // The plan is a snapshot: compared before a training-mode call below moves the BatchNorm statistics.
        model.eval()
        for (planned, eager) in zip(try plan(batches[0]).scalars, try withNoGrad { try model(batches[0]) }.scalars) {
            XCTAssertEqual(planned, eager, accuracy: 1e-4 * max(1, abs(eager)))
        }
        model.train()
        XCTAssertLessThan(try ModelFootprint(of: model, inputShape: [3, 32, 32]).flops, flops / 2, "pruned to half, then fc1 factorized")
        XCTAssertEqual(try int8(batches[0]).shape, [4, 10])
        XCTAssertEqual(try model(batches[0]).shape, [4, 10])
    }
}
