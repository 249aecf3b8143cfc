import SwiftletKernels
import XCTest
@testable import Swiftlet

/// The integer-only model against the float model it was built from.
final class QuantizationInt8ModelTests: XCTestCase {
    private func images(_ count: Int, _ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededRandom(seed: seed)
        return .uniform([count] + shape, low: -1, high: 1, generator: &generator)
    }

    /// Relative L2 distance of two logit tensors and the fraction of rows with the same argmax.
    private func compare(_ a: Tensor, _ b: Tensor) -> (relativeError: Float, agreement: Double) {
        let difference = zip(a.scalars, b.scalars).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let norm = a.scalars.reduce(Float(0)) { $0 + $1 * $1 }
        let same = zip(predictedClasses(a), predictedClasses(b)).filter { $0 == $1 }.count
        return ((difference / norm).squareRoot(), Double(same) / Double(a.shape[0]))
    }

    func testInt8LogitsFollowTheFloatModel() throws {
        // cifar-vgg: BatchNorm folded by the engine, 3×3 convolutions with padding, dropout skipped.
        for name in ["mnist-net", "cifar-simplecnn", "cifar-vgg"] {
            GlobalRandom.seed(7)
            let entry = try ModelZoo.entry(name)
            let model = entry.make()
            model.eval()
            let calibration = images(32, entry.inputShape, seed: 1), test = images(64, entry.inputShape, seed: 2)
            let float = try withNoGrad { try model(test) }
            try prepareQuantization(model, weights: .affine(.int8Weights), activations: .int8Activations)
            try calibrateQuantization(model, batches: [calibration])
            let fakeQuantized = try withNoGrad { try model(test) }
            let integer = try Int8InferenceModel(model, inputShape: entry.inputShape)(test)
            XCTAssertEqual(integer.shape, [64, 10])
            let simulated = compare(fakeQuantized, integer), real = compare(float, integer)
            // Against the simulation: only bias rounding and float multipliers differ.
            XCTAssertLessThan(simulated.relativeError, 0.01, name)
            XCTAssertGreaterThanOrEqual(simulated.agreement, 0.95, name)
            // Against fp32: 8-bit error, on random weights whose logits are close together.
            XCTAssertLessThan(real.relativeError, 0.05, name)
            XCTAssertGreaterThanOrEqual(real.agreement, 0.85, name)
        }
    }

    /// Max-pools folded into the convolution before them (pooling the int32 sums, then
    /// requantizing) give the codes of pooling the requantized codes, bit for bit: ReLU before
    /// and after the pool, channel counts off the vector width, a padded 3×3 pool, and a
    /// convolution whose codes another op also reads (not folded).
    func testFoldedPoolsGiveTheSameLogitsAsPoolingTheCodes() throws {
        let tapped = Sequential {
            ("conv1", Conv2d(1, 10, kernelSize: 3)); ReLU(); MaxPool2d(3, stride: 2, padding: 1)
            ("conv2", Conv2d(10, 20, kernelSize: 3)); MaxPool2d(2); ReLU()
            Flatten(); ("fc", Linear(20 * 2 * 2, 10))
        }
        let models: [(String, Module, side: Int)] = [("two pooled convolutions", tapped, 14), ("a pool beside a strided convolution", PoolBesideConvolution(), 12)]
        for (name, model, side) in models {
            GlobalRandom.seed(11)
            for (_, parameter) in model.namedParameters { parameter.scalars = Tensor.normal(parameter.shape).scalars }
            model.eval()
            try prepareQuantization(model, weights: .affine(.int8Weights), activations: .int8Activations)
            let calibration = [images(16, [1, side, side], seed: 3)]
            try calibrateQuantization(model, batches: calibration)
            let test = images(8, [1, side, side], seed: 4)
            let fused = try Int8InferenceModel(model, inputShape: [1, side, side], calibration: calibration, fusesPooling: true)
            let unfused = try Int8InferenceModel(model, inputShape: [1, side, side], calibration: calibration, fusesPooling: false)
            XCTAssertLessThan(fused.steps.count, unfused.steps.count, name)
            XCTAssertEqual(try fused(test).scalars, try unfused(test).scalars, name)
        }
    }

    func testUnsupportedModelsAreRejectedWithTheLayerName() throws {
        let float = Sequential { ("fc", Linear(4, 2)) }
        XCTAssertThrowsError(try Int8InferenceModel(float, inputShape: [1, 2, 2])) { error in
            XCTAssertTrue("\(error)".contains("fc"), "\(error)")
        }
        let weightOnly = Sequential { Flatten(); ("fc", Linear(4, 2)) }
        try prepareQuantization(weightOnly, weights: .affine(.int8Weights))
        XCTAssertThrowsError(try Int8InferenceModel(weightOnly, inputShape: [1, 2, 2]))
        let withSigmoid = Sequential { Flatten(); ("fc", Linear(4, 2)); Sigmoid(); ("out", Linear(2, 2)) }
        try prepareQuantization(withSigmoid, weights: .affine(.int8Weights), activations: .int8Activations)
        try calibrateQuantization(withSigmoid, batches: [images(2, [1, 2, 2], seed: 3)])
        XCTAssertThrowsError(try Int8InferenceModel(withSigmoid, inputShape: [1, 2, 2])) { error in
            XCTAssertTrue("\(error)".contains("Sigmoid"), "\(error)")
        }
    }
}

/// conv1's codes feed a max-pool and a strided convolution, so that pool cannot fold into
/// conv1; conv2's pool can.
private final class PoolBesideConvolution: Module {
    let conv1 = Conv2d(1, 8, kernelSize: 3, padding: 1), conv2 = Conv2d(8, 8, kernelSize: 3, padding: 1)
    let strided = Conv2d(8, 8, kernelSize: 3, stride: 2, padding: 1)
    let pool = MaxPool2d(2), fc = Linear(8 * 3 * 3, 10)

    override func forward(_ x: Tensor) throws -> Tensor {
        let a = try conv1(x).relu()
        let sum = try pool(a) + strided(a).relu()
        return try fc(pool(conv2(sum).relu()).flattened())
    }
}
