import XCTest
@testable import Swiftlet
import SwiftletKernels

/// Every compression pass on models that exist only in this file: residual blocks with
/// identity and projection shortcuts, a concatenation, and a layer type of the test's own
/// that adopts the capability protocols.
final class AnyModelCompressionTests: XCTestCase {
    /// A convolution of the test's own: its weight is called `kernel`, its bias `shift`.
    final class MyConv: Module, PrunableWeights, Quantizable, CountsMACs {
        var kernel: Tensor
        var shift: Tensor
        var quantization: LayerQuantization?
        let stride: Int

        init(_ inChannels: Int, _ outChannels: Int, stride: Int = 1) {
            kernel = .uniform([outChannels, inChannels, 3, 3], low: -0.5, high: 0.5, requiresGrad: true)
            shift = .uniform([outChannels], low: -0.1, high: 0.1, requiresGrad: true)
            self.stride = stride
        }

        override func forward(_ input: Tensor) throws -> Tensor {
            let (x, w) = try quantized(input: input, weight: kernel)
            return try conv2d(x, weight: w, bias: shift, stride: Size2D(stride, stride), padding: 1)
        }

        override var localParameters: [(name: String, tensor: Tensor)] { [("kernel", kernel), ("shift", shift)] }
        var prunableWeights: [(name: String, tensor: Tensor)] { [("kernel", kernel)] }
        var quantizableWeight: Tensor { kernel }

        func macs(inputShape: [Int], outputShape: [Int]) -> (dense: Int, nonzero: Int) {
            let positions = outputShape[2] * outputShape[3]
            return (positions * kernel.count, positions * kernel.scalars.filter { $0 != 0 }.count)
        }
    }

    /// A basic block: identity shortcut, or a 1×1 projection when the shape changes.
    final class Block: Module {
        let conv1: MyConv, bn1: BatchNorm, conv2: MyConv, bn2: BatchNorm
        let shortcut: Sequential?

        init(_ inChannels: Int, _ outChannels: Int, stride: Int) {
            conv1 = MyConv(inChannels, outChannels, stride: stride)
            bn1 = BatchNorm2d(outChannels)
            conv2 = MyConv(outChannels, outChannels)
            bn2 = BatchNorm2d(outChannels)
            shortcut = stride == 1 && inChannels == outChannels ? nil
                : Sequential { Conv2d(inChannels, outChannels, kernelSize: 1, stride: Size2D(stride, stride), bias: false); BatchNorm2d(outChannels) }
        }

        override func forward(_ x: Tensor) throws -> Tensor {
            try (bn2(conv2(bn1(conv1(x)).relu())) + (shortcut?(x) ?? x)).relu()
        }
    }

    final class TinyResNet: Module {
        let stem = MyConv(2, 4)
        let norm = BatchNorm2d(4)
        let layers = Sequential { ("0", Block(4, 4, stride: 1)); ("1", Block(4, 6, stride: 2)) }
        @Child var fc: Module = Linear(6, 3)

        override func forward(_ x: Tensor) throws -> Tensor {
            try fc(globalAvgPool2d(layers(norm(stem(x)).relu())).flattened())
        }
    }

    /// Two branches joined along the channels, read by one convolution.
    final class ConcatNet: Module {
        let a = Conv2d(2, 3, kernelSize: 3, padding: 1)
        let b = Conv2d(2, 5, kernelSize: 1)
        let gain: Tensor = .uniform([1, 8, 1, 1], low: 0.5, high: 1.5, requiresGrad: true)
        let mix = Conv2d(8, 4, kernelSize: 3)
        let fc = Linear(4 * 4 * 4, 3)

        override func forward(_ x: Tensor) throws -> Tensor {
            let joined = try concat([a(x).relu(), b(x).relu()]) * gain
            return try fc(mix(joined).relu().flattened())
        }

        override var localParameters: [(name: String, tensor: Tensor)] { [("gain", gain)] }
    }

    private let shape = [2, 6, 6]

    /// Statistics far from the identity, so that a forgotten BatchNorm slice would show.
    private func made<M: Module>(_ make: () -> M, seed: UInt64) -> M {
        GlobalRandom.seed(seed)
        let model = make()
        var generator = SeededRandom(seed: seed + 100)
        for case let norm as BatchNorm in model.namedModules.map(\.module) {
            let n = norm.weight.count
            norm.weight.scalars = (0..<n).map { _ in generator.nextUniform(0.5, 1.5) }
            norm.bias.scalars = (0..<n).map { _ in generator.nextUniform(-0.3, 0.3) }
            norm.runningMean.scalars = (0..<n).map { _ in generator.nextUniform(-0.2, 0.2) }
            norm.runningVar.scalars = (0..<n).map { _ in generator.nextUniform(0.5, 2) }
        }
        model.eval()
        return model
    }

    private func twin<M: Module>(of model: M, _ make: () -> M) throws -> M {
        let copy = make()
        try copy.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) }))
        copy.eval()
        return copy
    }

    private lazy var input: Tensor = {
        var generator = SeededRandom(seed: 9)
        return Tensor.normal([4] + shape, generator: &generator)
    }()

    func testResidualAddsTieChannelsIntoOneGroup() throws {
        let groups = try made(TinyResNet.init, seed: 1).channelDependencies(inputShape: shape).groups.filter { !$0.producers.isEmpty }
        let byProducers = Dictionary(uniqueKeysWithValues: groups.map { ($0.producers, $0) })
        XCTAssertEqual(byProducers[["stem", "layers.0.conv2"]]?.channels, 4, "the identity shortcut ties the stem to block 0's output")
        XCTAssertEqual(byProducers[["layers.1.conv2", "layers.1.shortcut.0"]]?.channels, 6, "the projection is tied to block 1's output")
        XCTAssertEqual(byProducers[["layers.0.conv1"]]?.channels, 4)
        XCTAssertEqual(byProducers[["fc"]]?.blockedReason, "it reaches the model's output")
        XCTAssertEqual(groups.filter(\.isPrunable).count, 4)
    }

    /// The pruning issue's exactness test: zeroing one dependency group's channels in the
    /// unpruned model gives the logits of the model with those channels removed.
    func testRemovingAGroupEqualsZeroingItInTheUnprunedModel() throws {
        for (make, name) in [({ TinyResNet() as Module }, "TinyResNet"), ({ ConcatNet() as Module }, "ConcatNet")] {
            let original = made(make, seed: 2)
            let groups = try original.channelDependencies(inputShape: shape).groups.filter { $0.isPrunable && !$0.producers.isEmpty }
            XCTAssertFalse(groups.isEmpty, name)
            for group in groups {
                let pruned = try twin(of: original, make), zeroed = try twin(of: original, make)
                let channels = Array(stride(from: group.channels - 1, through: 0, by: -2))
                try pruned.channelDependencies(inputShape: shape).remove([group.index: channels])
                try zeroed.channelDependencies(inputShape: shape).zero([group.index: channels])
                let expected = try withNoGrad { try zeroed(input) }, actual = try withNoGrad { try pruned(input) }
                XCTAssertLessThan(pruned.parameterCount, original.parameterCount, "\(name) \(group.producers)")
                assertClose(actual.scalars, expected.scalars, rtol: 0, atol: 1e-5, "\(name) \(group.producers)")
                XCTAssertNotEqual(try withNoGrad { try original(input) }.scalars, expected.scalars, "zeroing changes the model")
            }
        }
    }

    func testHalvingTheMACsShrinksTheCheckpointWhichReloadsIntoTheUsersClass() throws {
        let model = made(TinyResNet.init, seed: 3)
        let before = try ModelFootprint(of: model, inputShape: shape)
        let pruning = try model.pruneChannels(inputShape: shape, macsReduction: 0.5)
        let after = try ModelFootprint(of: model, inputShape: shape)
        XCTAssertEqual(before.flops, 2 * pruning.macsBefore)
        XCTAssertEqual(after.flops, 2 * pruning.macsAfter, "the prediction is what the smaller model counts")
        XCTAssertLessThanOrEqual(Double(pruning.macsAfter), 0.5 * Double(pruning.macsBefore))
        XCTAssertLessThan(model.parameterCount, made(TinyResNet.init, seed: 3).parameterCount)

        // Rounded: every group keeps an even number of channels, and the budget still holds.
        let even = made(TinyResNet.init, seed: 3)
        let rounded = try even.pruneChannels(inputShape: shape, macsReduction: 0.5, roundTo: 2)
        let kept = rounded.groups.filter(\.isPrunable).map { $0.channels - (rounded.removed[$0.index]?.count ?? 0) }
        XCTAssertTrue(kept.allSatisfy { $0 % 2 == 0 && $0 > 0 }, "\(kept)")
        XCTAssertLessThanOrEqual(Double(rounded.macsAfter), 0.5 * Double(rounded.macsBefore))
        XCTAssertEqual(try ModelFootprint(of: even, inputShape: shape).flops, 2 * rounded.macsAfter)

        let saved = Dictionary(uniqueKeysWithValues: model.stateDict.map { ($0.name, $0.tensor.detached()) })
        let fresh = made(TinyResNet.init, seed: 4)
        XCTAssertThrowsError(try fresh.loadStateDict(saved))
        try fresh.loadPrunedStateDict(saved)
        fresh.eval()
        XCTAssertEqual(try withNoGrad { try fresh(input) }.scalars, try withNoGrad { try model(input) }.scalars)
    }

    func testAUsersLayerIsPrunedQuantizedAndCounted() throws {
        let model = made(TinyResNet.init, seed: 5)
        // Unstructured: its `kernel` is a prunable weight, its `shift` is not.
        let masks = try pruneByMagnitude(model, .sparsity(0.5))
        XCTAssertTrue(masks.entries.map(\.name).contains("stem.kernel"))
        XCTAssertFalse(masks.entries.map(\.name).contains { $0.hasSuffix("shift") })
        XCTAssertEqual(Double(model.stem.kernel.scalars.filter { $0 == 0 }.count), 36, accuracy: 1)
        // Counted through its own CountsMACs, zero weights skipped.
        let row = try XCTUnwrap(try model.traceLayers(inputShape: shape).first { $0.name == "stem" })
        XCTAssertEqual(row.kind, "MyConv")
        XCTAssertEqual(row.macs, 36 * 72)
        XCTAssertEqual(row.nonzeroMACs, 36 * model.stem.kernel.scalars.filter { $0 != 0 }.count)
        // Quantized: prepared, fake-quantized in forward, stored under its own weight name.
        let format = QuantizationFormat.affine(try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel))
        let prepared = try prepareQuantization(model, weights: format, activations: .int8Activations)
        XCTAssertTrue(prepared.map(\.name).contains("stem"))
        try calibrateQuantization(model, batches: [input])
        let fakeKernel = try model.stem.kernel.fakeQuantized(as: format)
        XCTAssertLessThanOrEqual(Set(fakeKernel.scalars[0..<18]).count, 15, "4-bit codes")
        let x = model.stem.quantization!.inputQuantizer!(input)
        XCTAssertEqual(try withNoGrad { try model.stem(input) }.scalars,
                       try withNoGrad { try conv2d(x, weight: fakeKernel, bias: model.stem.shift, padding: 1) }.scalars)
        let checkpoint = try QuantizedCheckpoint(model: model)
        XCTAssertNotNil(checkpoint.metadata["stem.kernel"])
        let restored = made(TinyResNet.init, seed: 6)
        try checkpoint.restore(into: restored)
        XCTAssertEqual(restored.stem.quantization?.weightFormat, format)
    }

    func testInt8RunsResidualAddsInIntegers() throws {
        let model = made(TinyResNet.init, seed: 7)
        var generator = SeededRandom(seed: 10)
        let calibration = (0..<4).map { _ in Tensor.normal([8] + shape, generator: &generator) }
        XCTAssertThrowsError(try Int8InferenceModel(model, inputShape: shape)) { error in
            XCTAssertTrue("\(error)".contains("pass calibration batches"), "\(error)")
        }
        let engine = try Int8InferenceModel(model, inputShape: shape, calibration: calibration)
        XCTAssertEqual(engine.steps.filter { if case .add = $0 { return true } else { return false } }.count, 2)
        XCTAssertTrue(engine.steps.contains { if case .globalAvgPool = $0 { return true } else { return false } })
        let test = Tensor.normal([64] + shape, generator: &generator)
        let float = try withNoGrad { try model(test) }, integer = try engine(test)
        let difference = zip(float.scalars, integer.scalars).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let norm = float.scalars.reduce(Float(0)) { $0 + $1 * $1 }
        XCTAssertLessThan((difference / norm).squareRoot(), 0.05)
        let agreement = zip(predictedClasses(float), predictedClasses(integer)).filter { $0 == $1 }.count
        XCTAssertGreaterThanOrEqual(agreement, 58)
        XCTAssertGreaterThan(engine.storedBytes, 0)
    }

    func testDecompositionAndSparseFormsGoThroughReplaceableSlots() throws {
        let model = made(TinyResNet.init, seed: 8)
        XCTAssertEqual(decomposableLayers(of: model), ["layers.1.shortcut.0", "fc"])
        try decompose(model, layer: "fc", .rank(2))
        XCTAssertEqual(model.namedParameters.filter { $0.name.hasPrefix("fc.") }.map(\.name), ["fc.0.weight", "fc.1.weight", "fc.1.bias"])
        XCTAssertEqual(try withNoGrad { try model(input) }.shape, [4, 3])

        let plain = Sequential { ("fc1", Linear(784, 300)); ReLU(); ("fc2", Linear(300, 10)) }
        _ = try pruneByMagnitude(plain, .sparsity(0.9))
        XCTAssertEqual(try convertToSparse(plain), ["fc1", "fc2"])
        let wrapped = made(TinyResNet.init, seed: 8)
        _ = try pruneByMagnitude(wrapped, .sparsity(0.9))
        XCTAssertEqual(try convertToSparse(wrapped), ["fc"], "the @Child slot takes the sparse layer")
        XCTAssertTrue(wrapped.fc is SparseLinear)
    }

    /// Two sparse Linear layers, the first replaceable and the second a plain `let`.
    final class HalfReplaceable: Module {
        @Child var first: Module = Linear(8, 8)
        let second = Linear(8, 2)

        override func forward(_ x: Tensor) throws -> Tensor { try second(first(x).relu()) }
    }

    /// A conversion that fails part of the way leaves no layer converted.
    func testFailedSparseConversionLeavesTheModelAsItWas() throws {
        let model = made(HalfReplaceable.init, seed: 9)
        _ = try pruneByMagnitude(model, .sparsity(0.9))
        let first = model.first
        XCTAssertThrowsError(try convertToSparse(model)) { error in
            guard case let .notReplaceable(path, _)? = error as? ModuleTreeError else { return XCTFail("threw \(error)") }
            XCTAssertEqual(path, "second")
        }
        XCTAssertTrue(model.first === first, "the layer converted before the failure was put back")
    }
}
