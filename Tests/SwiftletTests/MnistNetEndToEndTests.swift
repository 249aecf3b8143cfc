import XCTest
@testable import Swiftlet

/// The classic MNIST net end to end against PyTorch (Fixtures/mnist_net.json): logits,
/// loss, every parameter gradient, and the parameters after three SGD-momentum steps.
final class MnistNetEndToEndTests: XCTestCase {
    func testMnistNetMatchesPyTorch() throws {
        let c = try XCTUnwrap(loadFixtures("mnist_net").first)
        let model = try ModelZoo.entry("mnist-net").make()
        let names = model.namedParameters.map(\.name)
        XCTAssertEqual(names, ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: try names.map { ($0, try c.input($0)) }))

        let (x, labels) = try c.expectForwardAndBackward(of: model)

        let optimizer = SGD(model.parameters, lr: Float(try c.double("lr")), momentum: Float(try c.double("momentum")))
        optimizer.zeroGrad()
        for _ in 0..<(try c.int("steps")) {
            optimizer.zeroGrad()
            try crossEntropy(model(x), labels).backward()
            optimizer.step()
        }
        for (name, parameter) in model.namedParameters {
            try c.expect(parameter, "step3.\(name)", rtol: 1e-4, atol: 1e-5)
        }
    }

    func testLoadStateDictIsStrict() throws {
        let model = try ModelZoo.entry("lenet300").make()
        var values = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) })
        values["fc1.bias"] = nil
        XCTAssertThrowsError(try model.loadStateDict(values)) { XCTAssertEqual($0 as? StateDictError, .missing("fc1.bias")) }
        values["fc1.bias"] = Tensor.zeros([299])
        XCTAssertThrowsError(try model.loadStateDict(values)) {
            XCTAssertEqual($0 as? StateDictError, .shapeMismatch("fc1.bias", found: [299], expected: [300]))
        }
        values["fc1.bias"] = Tensor.zeros([300])
        values["fc4.weight"] = Tensor.zeros([1])
        XCTAssertThrowsError(try model.loadStateDict(values)) { XCTAssertEqual($0 as? StateDictError, .unexpected("fc4.weight")) }
    }

    func testSummaryAndFootprintOfMnistNet() throws {
        let model = try ModelZoo.entry("mnist-net").make()
        let summary = try model.summary(inputShape: [1, 28, 28])
        XCTAssertTrue(summary.contains("conv2") && summary.contains("[1, 20, 8, 8]"), summary)
        let footprint = try ModelFootprint(of: model, inputShape: [1, 28, 28])
        XCTAssertEqual(footprint.parameters, 21_840)
        // conv1 24·24·250 + conv2 8·8·5000 + fc1 16000 + fc2 500 multiply-accumulates.
        XCTAssertEqual(footprint.flops, 2 * (576 * 250 + 64 * 5000 + 16_000 + 500))
        XCTAssertEqual(footprint.weightSparsity, 0)
        XCTAssertEqual(footprint.sparseBytes, footprint.denseBytes)
    }

    func testMeanMagnitudePruningRemovesSmallWeightsPerTensor() throws {
        GlobalRandom.seed(5)
        let model = try ModelZoo.entry("mnist-net").make()
        let before = model.namedParameters.map { ($0.name, $0.tensor.scalars) }
        let masks = try pruneByMagnitude(model, .meanAbsolute)
        XCTAssertEqual(masks.entries.map(\.name), ["conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight"])
        for ((name, old), (_, tensor)) in zip(before, model.namedParameters) {
            if name.hasSuffix("bias") { XCTAssertEqual(tensor.scalars, old); continue }
            let theta = old.map(abs).reduce(0, +) / Float(old.count)
            for (value, original) in zip(tensor.scalars, old) {
                XCTAssertEqual(value, abs(original) < theta ? 0 : original)
            }
        }
        // Uniform initial weights: about half fall below the mean magnitude.
        XCTAssertEqual(masks.sparsity, 0.5, accuracy: 0.03)
        let footprint = try ModelFootprint(of: model, inputShape: [1, 28, 28])
        XCTAssertLessThan(footprint.sparseBytes, footprint.denseBytes)
        XCTAssertLessThan(footprint.nonzeroFlops, footprint.flops)
    }
}

/// Counts checked against Tests/python/models.py (the PyTorch classes).
final class ModelZooTests: XCTestCase {
    func testEveryBuiltInModelRunsOnItsInputShape() throws {
        for entry in ModelZoo.entries {
            GlobalRandom.seed(0)
            let model = entry.make()
            let logits = try model(Tensor.normal([2] + entry.inputShape))
            XCTAssertEqual(logits.shape, [2, 10], entry.name)
            XCTAssertTrue(model.namedParameters.allSatisfy { !$0.name.first!.isNumber }, "\(entry.name) has unnamed parameters")
        }
        XCTAssertThrowsError(try ModelZoo.entry("resnet50")) { XCTAssertTrue("\($0)".contains("mnist-net")) }
    }

    func testParameterCountsMatchTheirPyTorchClasses() throws {
        let expected = ["mnist-net": 21_840, "lenet300": 266_610, "lenet5": 431_080, "cifar-simplecnn": 154_462,
                        "cifar-teacher": 315_722]
        for (name, count) in expected {
            XCTAssertEqual(try ModelZoo.entry(name).make().parameterCount, count, name)
        }
    }
}
