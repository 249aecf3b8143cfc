import SwiftletKernels
import XCTest
@testable import Swiftlet

final class LowRankTests: XCTestCase {
    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    private func assertSameOutput(_ original: Module, _ replacement: Module, input: Tensor, tolerance: Float = 1e-4,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try original(input), received = try replacement(input)
        XCTAssertEqual(received.shape, expected.shape, file: file, line: line)
        XCTAssertLessThan(maxDifference(received, expected), tolerance, file: file, line: line)
    }

    func testFullRankLinearReproducesTheLayer() throws {
        GlobalRandom.seed(1)
        let layer = Linear(40, 25)
        let factorization = try layer.lowRank(.rank(25))
        XCTAssertEqual(factorization.maximumRank, 25)
        XCTAssertEqual(factorization.energyKept, 1, accuracy: 1e-12)
        XCTAssertEqual(factorization.module.namedParameters.map(\.name), ["0.weight", "1.weight", "1.bias"])
        XCTAssertEqual(factorization.module.namedParameters.map(\.tensor.shape), [[25, 40], [25, 25], [25]])
        try assertSameOutput(layer, factorization.module, input: Tensor.normal([8, 40]))
    }

    func testTruncatedLinearIsTheBestRankRApproximation() throws {
        GlobalRandom.seed(2)
        let layer = Linear(30, 20, bias: false)
        let svd = try SingularValueDecomposition(layer.weight)
        let factorization = try layer.lowRank(.rank(5))
        let first = try XCTUnwrap(factorization.module.layers[0].module as? Linear)
        let second = try XCTUnwrap(factorization.module.layers[1].module as? Linear)
        // W ≈ W₂·W₁, and the error is exactly the discarded spectrum (Eckart–Young).
        let product = try second.weight.matmul(first.weight)
        let error = zip(product.scalars, layer.weight.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let discarded = svd.singularValues[5...].reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(error, discarded, accuracy: 1e-4 * discarded)
        XCTAssertEqual(factorization.energyKept, svd.energy(ofRank: 5), accuracy: 1e-12)
    }

    func testFullRankConvolutionReproducesTheLayerInBothForms() throws {
        GlobalRandom.seed(3)
        // A non-square kernel with stride, padding and dilation differing by axis.
        let conv = Conv2d(3, 4, kernelSize: Size2D(3, 5), stride: Size2D(2, 1), padding: Size2D(1, 2), dilation: Size2D(1, 2))
        let input = Tensor.normal([2, 3, 9, 11])

        let filters = try conv.lowRank(.rank(4))
        XCTAssertEqual(filters.module.namedParameters.map(\.tensor.shape), [[4, 3, 3, 5], [4, 4, 1, 1], [4]])
        try assertSameOutput(conv, filters.module, input: input)

        let separable = try conv.lowRank(.rank(9), form: .spatialSeparable)  // min(C_in·kh, C_out·kw) = min(9, 20)
        XCTAssertEqual(separable.maximumRank, 9)
        XCTAssertEqual(separable.module.namedParameters.map(\.tensor.shape), [[9, 3, 3, 1], [4, 9, 1, 5], [4]])
        try assertSameOutput(conv, separable.module, input: input)
    }

    func testTruncatedRankShrinksParametersAndFlopsAsCounted() throws {
        GlobalRandom.seed(4)
        let model = try ModelZoo.entry("lenet300").make()
        let before = try ModelFootprint(of: model, inputShape: [1, 28, 28])
        let factorization = try decompose(model, layer: "fc1", .rank(20))
        XCTAssertEqual(factorization.rank, 20)
        let after = try ModelFootprint(of: model, inputShape: [1, 28, 28])
        XCTAssertEqual(before.parameters - after.parameters, 784 * 300 - 20 * (784 + 300))
        XCTAssertEqual(before.flops - after.flops, 2 * (784 * 300 - 20 * (784 + 300)))
        XCTAssertEqual(Array(model.namedParameters.map(\.name).prefix(3)), ["fc1.0.weight", "fc1.1.weight", "fc1.1.bias"])

        // SimpleCNN conv2 (16 → 32, 3×3, output 13×13) in both forms.
        let cnn = try ModelZoo.entry("cifar-simplecnn").make()
        let cnnBefore = try ModelFootprint(of: cnn, inputShape: [3, 32, 32])
        try decompose(cnn, layer: "conv2", .rank(8))
        let cnnAfter = try ModelFootprint(of: cnn, inputShape: [3, 32, 32])
        XCTAssertEqual(cnnBefore.flops - cnnAfter.flops, 2 * 13 * 13 * (32 * 144 - 8 * (144 + 32)))

        let separableCNN = try ModelZoo.entry("cifar-simplecnn").make()
        try decompose(separableCNN, layer: "conv2", .rank(8), convForm: .spatialSeparable)
        let separableAfter = try ModelFootprint(of: separableCNN, inputShape: [3, 32, 32])
        // The 3×1 conv runs on 13 rows × 15 input columns; the 1×3 conv on 13×13 outputs.
        XCTAssertEqual(cnnBefore.flops - separableAfter.flops, 2 * (13 * 13 * 32 * 144 - 13 * 15 * 8 * 48 - 13 * 13 * 32 * 8 * 3))
    }

    func testEnergySelectsTheSmallestSufficientRank() throws {
        GlobalRandom.seed(5)
        let layer = Linear(50, 30)
        let svd = try SingularValueDecomposition(layer.weight)
        let factorization = try layer.lowRank(.energy(0.8))
        XCTAssertGreaterThanOrEqual(factorization.energyKept, 0.8)
        XCTAssertLessThan(svd.energy(ofRank: factorization.rank - 1), 0.8)
        XCTAssertEqual(try layer.lowRank(.energy(1)).rank, 30)
    }

    func testNestedLayerPaths() throws {
        let model = Sequential { ("features", Sequential { Conv2d(1, 6, kernelSize: 3); ReLU() }); Flatten(); ("fc", Linear(6 * 4 * 4, 3)) }
        XCTAssertEqual(decomposableLayers(of: model), ["features.0", "fc"])
        let input = Tensor.normal([2, 1, 6, 6])
        let before = try model(input)
        try decompose(model, layer: "features.0", .rank(6))
        XCTAssertEqual(model.namedParameters.first?.name, "features.0.0.weight")
        XCTAssertLessThan(maxDifference(try model(input), before), 1e-4)
    }

    func testRefusalsAreTypedAndSayWhatIsAllowed() throws {
        let model = try ModelZoo.entry("mnist-net").make()
        func error(_ body: () throws -> Void) -> DecompositionError? {
            do { try body() } catch { return error as? DecompositionError }
            return nil
        }
        XCTAssertEqual(error { try decompose(model, layer: "fc9", .rank(2)) },
                       .unknownLayer("fc9", decomposable: ["conv1", "conv2", "fc1", "fc2"]))
        XCTAssertEqual(error { try decompose(model, layer: "fc1.weight", .rank(2)) },
                       .unknownLayer("fc1.weight", decomposable: ["conv1", "conv2", "fc1", "fc2"]))
        XCTAssertEqual(error { try decompose(model, layer: "2", .rank(2)) },
                       .unsupportedLayer("2", reason: "it is a ReLU, which does not adopt Factorizable (Linear and Conv2d do)"))
        XCTAssertEqual(error { try decompose(model, layer: "fc1", .rank(0)) }, .invalidRank(0, layer: "fc1 (Linear(320, 50))", maximum: 50))
        XCTAssertEqual(error { try decompose(model, layer: "fc1", .rank(51)) }, .invalidRank(51, layer: "fc1 (Linear(320, 50))", maximum: 50))
        XCTAssertEqual(error { try decompose(model, layer: "fc1", .energy(0)) }, .invalidEnergy(0))
        XCTAssertEqual(error { try decompose(model, layer: "fc1", .energy(1.5)) }, .invalidEnergy(1.5))
        XCTAssertEqual(error { _ = try Conv2d(4, 4, kernelSize: 3, groups: 2).lowRank(.rank(1)) },
                       .unsupportedLayer("Conv2d(4, 4, kernelSize: 3)", reason: "grouped convolutions (groups = 2) are not factorised"))
        XCTAssertTrue(model.submodule(at: "fc1") is Linear, "a refused decomposition leaves the model unchanged")
    }

    func testFineTuningADecomposedModelReducesTheLoss() throws {
        GlobalRandom.seed(6)
        let model = Sequential { ("fc1", Linear(12, 16)); ReLU(); ("fc2", Linear(16, 3)) }
        try decompose(model, layer: "fc1", .rank(4))
        let x = Tensor.normal([32, 12])
        let labels = (0..<32).map { $0 % 3 }
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        let initial = try crossEntropy(model(x), labels).item
        for _ in 0..<30 {
            optimizer.zeroGrad()
            try crossEntropy(model(x), labels).backward()
            optimizer.step()
        }
        XCTAssertNotNil(model.namedParameters.first { $0.name == "fc1.0.weight" }?.tensor.grad, "the factors are trained")
        XCTAssertLessThan(try crossEntropy(model(x), labels).item, 0.5 * initial)
    }

    func testADecomposedCheckpointLoadsIntoTheOriginalArchitecture() throws {
        GlobalRandom.seed(7)
        let build = {
            Sequential {
                ("conv1", Conv2d(2, 6, kernelSize: 3, padding: 1)); ReLU()
                ("conv2", Conv2d(6, 4, kernelSize: 3)); ReLU(); Flatten()
                ("fc1", Linear(4 * 4 * 4, 10)); ReLU(); ("fc2", Linear(10, 3))
            }
        }
        let decomposed = build()
        try decompose(decomposed, layer: "fc1", .rank(3))
        try decompose(decomposed, layer: "conv1", .rank(2))
        try decompose(decomposed, layer: "conv2", .rank(5), convForm: .spatialSeparable)
        let saved = Dictionary(uniqueKeysWithValues: decomposed.stateDict.map { ($0.name, $0.tensor) })

        let loaded = build()
        try loaded.loadPrunedStateDict(saved)
        XCTAssertEqual(loaded.namedParameters.map(\.name), decomposed.namedParameters.map(\.name))
        let input = Tensor.normal([2, 2, 6, 6])
        XCTAssertEqual(try loaded(input).scalars, try decomposed(input).scalars)

        // A checkpoint that does not fit (here: a factor's bias missing) leaves the model as it was.
        var wrong = saved
        wrong["fc1.1.bias"] = nil
        let untouched = build()
        let names = untouched.namedParameters.map(\.name)
        XCTAssertThrowsError(try untouched.loadPrunedStateDict(wrong))
        XCTAssertEqual(untouched.namedParameters.map(\.name), names)
    }
}
