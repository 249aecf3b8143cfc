import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Fake quantization and its straight-through gradient, observers, quantization-aware
/// training and the stored (packed) form.
final class QuantizationTrainingTests: XCTestCase {
    func testStraightThroughGradientPassesInsideTheRangeOnly() throws {
        let scheme = try QuantizationScheme(bits: 4, mapping: .symmetric)
        let p = scheme.parameters(minimum: -1, maximum: 1)  // range ±1 in steps of 1/7
        let x = try Tensor([-3, -1, -0.4, 0, 0.33, 0.99, 1.2, 5], shape: [8], requiresGrad: true)
        let y = x.fakeQuantized(scheme, p)
        for (received, expected) in zip(y.scalars, x.scalars.map { min(max(($0 * 7).rounded(), -7), 7) / 7 }) {
            XCTAssertEqual(received, expected, accuracy: 1e-6)
        }
        let seed = try Tensor([1, 2, 3, 4, 5, 6, 7, 8], shape: [8])
        try y.backward(seed)
        XCTAssertEqual(x.grad?.scalars, [0, 2, 3, 4, 5, 6, 0, 0])
    }

    /// Sparsity is measured on the weights a quantized layer computes with: a weight that
    /// rounds to code 0 counts as zero, as it does in the checkpoint written from the model.
    func testFootprintCountsWeightsThatQuantizeToZeroAndLeavesTheFloatWeightsAlone() throws {
        let layer = Linear(4, 2)
        layer.weight.scalars = [1, 0.001, 0, -0.5, 0.25, 0.75, -1, 0.002]
        let floatWeights = layer.weight.scalars
        XCTAssertEqual(try ModelFootprint(of: layer, inputShape: [4]).weightSparsity, 12.5)
        try prepareQuantization(layer, weights: .affine(QuantizationScheme(bits: 4, mapping: .symmetric)))
        XCTAssertEqual(try ModelFootprint(of: layer, inputShape: [4]).weightSparsity, 37.5)
        XCTAssertEqual(layer.weight.scalars, floatWeights)
    }

    /// A weight's fake quantization is its quantized tensor dequantized, value for value, for
    /// every affine scheme and float16, NaN included — the fused pass computes neither, so it
    /// is held to both — and its gradient passes where the quantizer rounds rather than clamps.
    func testWeightFakeQuantizationIsQuantizeThenDequantize() throws {
        var generator = SeededRandom(seed: 5)
        let weight = Tensor.normal([6, 7], generator: &generator)
        weight.scalars[3] = 70_000  // beyond float16
        weight.scalars[10] = .nan   // quantizes to the zero point
        var formats: [QuantizationFormat] = [.float16]
        for bits in [2, 4, 8] {
            for mapping in [QuantizationScheme.Mapping.symmetric, .asymmetric] {
                for rounding in [QuantizationScheme.Rounding.nearest, .floor] {
                    for granularity in [QuantizationScheme.Granularity.perTensor, .perChannel] {
                        formats.append(.affine(try QuantizationScheme(bits: bits, mapping: mapping, rounding: rounding, granularity: granularity)))
                    }
                }
            }
        }
        for format in formats {
            let x = try Tensor(weight.scalars, shape: weight.shape, requiresGrad: true)
            let fake = try x.fakeQuantized(as: format)
            XCTAssertEqual(fake.scalars.map(\.bitPattern), try QuantizedTensor(quantizing: weight, as: format).dequantized().scalars.map(\.bitPattern),
                           "\(format)")
            try fake.backward(Tensor.ones(weight.shape))
            let passes: [Bool]
            if case let .affine(scheme) = format {
                let channels = scheme.granularity == .perChannel ? 6 : 1, length = 42 / channels
                passes = weight.scalars.indices.map { i in
                    let slice = weight.scalars[(i / length) * length..<(i / length + 1) * length]
                    return scheme.isInRange(weight.scalars[i], scheme.parameters(minimum: slice.min()!, maximum: slice.max()!))
                }
            } else {
                passes = weight.scalars.map { abs($0) < 65520 }
            }
            XCTAssertEqual(x.grad?.scalars, passes.map { $0 ? 1 : 0 }, "\(format)")
        }
    }

    func testSignQuantizersUseTheHardTanhEstimator() throws {
        let w = try Tensor([-2, -0.5, 0.3, 1.5], shape: [4], requiresGrad: true)
        try w.fakeQuantized(as: .binary(.perTensor)).backward(Tensor.ones([4]))
        XCTAssertEqual(w.grad?.scalars, [0, 1, 1, 0])
    }

    /// With 16 bits the grid (≈ 3·10⁻⁵) is far finer than ε, so central differences see the
    /// smooth function the estimator pretends to differentiate: slope 1 inside, 0 outside.
    func testStraightThroughGradientAgreesWithCentralDifferencesOnAFineGrid() throws {
        let scheme = try QuantizationScheme(bits: 16)
        let p = scheme.parameters(minimum: -0.5, maximum: 0.6)
        let x = try Tensor([-0.9, -0.7, -0.3, -0.1, 0.05, 0.2, 0.45, 0.8], shape: [8])
        try checkGradients([x]) { try $0[0].fakeQuantized(scheme, p) * $0[0] }
        let fine = try QuantizationFormat.affine(QuantizationScheme(bits: 16, mapping: .symmetric, granularity: .perChannel))
        try checkGradients([spreadTensor([3, 4], seed: 1), spreadTensor([2, 4], seed: 2), spreadTensor([2], seed: 3)]) {
            try $0[0].linear(weight: $0[1].fakeQuantized(as: fine), bias: $0[2])
        }
    }

    func testObservers() throws {
        let minMax = MinMaxObserver(), moving = MovingAverageMinMaxObserver(averagingConstant: 0.5)
        for batch: [Float] in [[0, 1, 2], [-4, 1, .nan], [3, 3, 3]] {
            minMax.observe(batch)
            moving.observe(batch)
        }
        XCTAssertEqual(minMax.range?.min, -4)
        XCTAssertEqual(minMax.range?.max, 3)
        // (0, 2) → (−2, 1.5) → (0.5, 2.25)
        XCTAssertEqual(moving.range?.min, 0.5)
        XCTAssertEqual(moving.range?.max, 2.25)
        let percentile = try PercentileObserver(percentile: 99)
        percentile.observe((0..<1000).map { Float($0) } + [1e6])
        let range = try XCTUnwrap(percentile.range)
        XCTAssertLessThan(range.max, 1000, "the outlier must be clipped")
        XCTAssertGreaterThan(range.max, 980)
        XCTAssertLessThan(range.min, 20)
        assertThrows(try PercentileObserver(percentile: 40), QuantizationError.percentileOutOfRange(40))
        minMax.reset()
        XCTAssertNil(minMax.range)
    }

    func testBitPackingRoundTripsEveryWidth() throws {
        var generator = SeededRandom(seed: 4)
        for bits in 1...16 {
            for count in [0, 1, 7, 8, 9, 33, 100] {
                let values = (0..<count).map { _ in UInt32(generator.nextInt(below: 1 << bits)) }
                let packed = BitPacking.pack(values, bits: bits)
                XCTAssertEqual(packed.count, (count * bits + 7) / 8)
                XCTAssertEqual(try BitPacking.unpack(packed, bits: bits, count: count), values, "\(bits) bits, \(count) values")
            }
        }
        XCTAssertEqual(BitPacking.pack([1, 0, 1, 1, 0, 0, 0, 1, 1], bits: 1), [0b1000_1101, 0b1])
        XCTAssertEqual(BitPacking.pack([0x3, 0xA], bits: 4), [0xA3])
        assertThrows(try BitPacking.unpack([0], bits: 4, count: 3), QuantizationError.packedByteCountMismatch(count: 3, bits: 4, bytes: 1))
    }

    /// A small conv net on an easy synthetic task: which quadrant of an 8×8 image is bright.
    private func makeNet() -> Sequential {
        GlobalRandom.seed(1)
        return Sequential {
            ("conv1", Conv2d(1, 4, kernelSize: 3)); ReLU(); MaxPool2d(2)
            Flatten(); ("fc1", Linear(36, 16)); ReLU(); ("fc2", Linear(16, 4))
        }
    }

    private func quadrantBatches(count: Int, seed: UInt64) -> [LabeledBatch] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            var pixels = [Float](repeating: 0, count: 16 * 64), labels: [Int] = []
            for n in 0..<16 {
                let label = generator.nextInt(below: 4)
                labels.append(label)
                for i in 0..<64 {
                    let inside = (i / 8 < 4) == (label < 2) && (i % 8 < 4) == (label % 2 == 0)
                    pixels[n * 64 + i] = (inside ? 1 : 0) + 0.3 * generator.nextUniform(-1, 1)
                }
            }
            return LabeledBatch(images: Tensor(shape: [16, 1, 8, 8], scalars: pixels), labels: labels)
        }
    }

    func testQuantizationAwareTrainingLearnsAndKeepsParameterNames() throws {
        let model = makeNet()
        let names = model.namedParameters.map(\.name)
        let layers = try prepareQuantization(model, weights: .affine(QuantizationScheme(bits: 2, mapping: .symmetric, granularity: .perChannel)),
                                             activations: .int8Activations, observer: { MovingAverageMinMaxObserver() })
        XCTAssertEqual(layers.map(\.name), ["conv1", "fc1", "fc2"])
        XCTAssertEqual(model.namedParameters.map(\.name), names)
        let optimizer = SGD(model.parameters, lr: 0.1, momentum: 0.9)
        let batches = quadrantBatches(count: 30, seed: 2)
        let first = try trainEpoch(model, optimizer: optimizer, batches: batches, batchCount: 30)
        let second = try trainEpoch(model, optimizer: optimizer, batches: batches, batchCount: 30)
        XCTAssertLessThan(second.loss, first.loss)
        XCTAssertGreaterThan(try evaluate(model, batches: quadrantBatches(count: 5, seed: 3)).accuracy, 90)
        // The forward really uses 2-bit weights: at most 3 distinct values per output channel.
        let effective = try layers[1].layer.quantizableWeight.fakeQuantized(as: layers[1].layer.quantization!.weightFormat)
        XCTAssertLessThanOrEqual(Set(effective.scalars[0..<36]).count, 3)
    }

    func testCheckpointStoresPackedCodesAndCountsItsBytesExactly() throws {
        for (format, codeBytes, extraPerChannel) in [
            (QuantizationFormat.affine(try QuantizationScheme(bits: 4, mapping: .symmetric, granularity: .perChannel)), { (n: Int) in (n * 4 + 7) / 8 }, 4),
            (.affine(try QuantizationScheme(bits: 8, granularity: .perChannel)), { (n: Int) in n }, 5),  // scale + U8 zero point
            (.binary(.perChannel), { (n: Int) in (n + 7) / 8 }, 4),
            (.ternary(.perChannel), { (n: Int) in (n * 2 + 7) / 8 }, 4),
        ] as [(QuantizationFormat, (Int) -> Int, Int)] {
            let model = makeNet()
            try prepareQuantization(model, weights: format)
            let checkpoint = try QuantizedCheckpoint(model: model)
            var expected = 0
            for (name, tensor) in model.namedParameters {
                expected += name.hasSuffix("weight") ? codeBytes(tensor.count) + extraPerChannel * tensor.shape[0] : 4 * tensor.count
            }
            XCTAssertEqual(checkpoint.byteCount, expected, "\(format)")
            XCTAssertEqual(checkpoint.byteCount, checkpoint.tensors.reduce(0) { $0 + $1.bytes.count })
            // Decoding gives back the very same quantized tensors, and a float model loads them.
            let decoded = try checkpoint.quantizedTensors()
            for (name, layer) in model.quantizedLayers {
                XCTAssertEqual(decoded["\(name).weight"], try QuantizedTensor(quantizing: layer.quantizableWeight, as: format))
            }
            let restored = makeNet()
            try restored.loadStateDict(try checkpoint.dequantizedStateDict())
            let input = quadrantBatches(count: 1, seed: 9)[0].images
            let a = try withNoGrad { try model(input) }, b = try withNoGrad { try restored(input) }
            for (u, v) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        }
    }

    func testFloat16CheckpointAndActivationParameters() throws {
        let model = makeNet()
        try prepareQuantization(model, weights: .float16, activations: .int8Activations)
        XCTAssertThrowsError(try QuantizedCheckpoint(model: model), "uncalibrated activation quantizers") {
            guard case .notCalibrated? = $0 as? QuantizationError else { return XCTFail("\($0)") }
        }
        try calibrateQuantization(model, batches: quadrantBatches(count: 2, seed: 5).map(\.images))
        let checkpoint = try QuantizedCheckpoint(model: model)
        let weights = model.namedParameters.filter { $0.name.hasSuffix("weight") }.reduce(0) { $0 + $1.tensor.count }
        let biases = model.namedParameters.filter { $0.name.hasSuffix("bias") }.reduce(0) { $0 + $1.tensor.count }
        XCTAssertEqual(checkpoint.byteCount, 2 * weights + 4 * biases + 3 * 8)
        XCTAssertEqual(checkpoint.tensors.first { $0.name == "fc1.weight" }?.dtype, "F16")
        let reloaded = QuantizedCheckpoint(tensors: checkpoint.tensors, metadata: checkpoint.metadata)
        XCTAssertEqual(try reloaded.quantizedTensors()["fc1.weight"]?.dequantized().scalars,
                       try model.quantizedLayers[1].layer.quantizableWeight.fakeQuantized(as: QuantizationFormat.float16).scalars)
        let broken = QuantizedCheckpoint(tensors: checkpoint.tensors, metadata: ["fc1.weight": "affine bits=4 shape=16,36"])
        let unreadable = QuantizedCheckpointError.malformedDescription(name: "fc1.weight", text: "affine bits=4 shape=16,36",
                                                                       problem: "affine needs bits=, mapping= and rounding=")
        assertThrows(try broken.quantizedTensors(),
                     SafeTensorsError(file: "in-memory quantized checkpoint", reason: .invalidValue(tensor: "fc1.weight", "\(unreadable)")))
    }

    func testCheckpointFileRestoresTheQuantizedModel() throws {
        let scheme = try QuantizationScheme(bits: 4, mapping: .asymmetric, granularity: .perChannel)
        let batches = quadrantBatches(count: 2, seed: 9)
        let model = makeNet()
        try prepareQuantization(model, weights: .affine(scheme), activations: .int8Activations)
        try calibrateQuantization(model, batches: batches.map(\.images))
        let checkpoint = try QuantizedCheckpoint(model: model)
        let bytes = try checkpoint.safeTensorsFile(metadata: ["stage": "ptq"]).encoded()
        let file = try SafeTensorsFile(decoding: bytes, source: "test")
        XCTAssertTrue(QuantizedCheckpoint.isQuantized(file))
        XCTAssertEqual(file.metadata["stage"], "ptq")
        XCTAssertEqual(file.tensors.values.reduce(0) { $0 + $1.bytes.count }, checkpoint.byteCount, "the file holds exactly the counted bytes")

        let restored = makeNet()
        let layers = try QuantizedCheckpoint(file: file).restore(into: restored)
        XCTAssertEqual(layers.map(\.name), ["conv1", "fc1", "fc2"])
        XCTAssertEqual(layers.map { $0.layer.quantization?.inputQuantizer?.parameters }, model.quantizedLayers.map { $0.layer.quantization?.inputQuantizer?.parameters })
        model.eval()
        restored.eval()
        // Re-quantizing the dequantized weights finds the same codes; scales may differ in the last bit.
        let images = batches[0].images
        let pairs = [(try withNoGrad { try restored(images) }, try withNoGrad { try model(images) }),
                     (try Int8InferenceModel(restored, inputShape: [1, 8, 8])(images), try Int8InferenceModel(model, inputShape: [1, 8, 8])(images))]
        for (after, before) in pairs {
            XCTAssertEqual(after.shape, before.shape)
            for (u, v) in zip(after.scalars, before.scalars) { XCTAssertEqual(u, v, accuracy: 1e-6) }
        }

        let float = SafeTensorsFile(tensors: file.tensors, source: "float.safetensors")
        XCTAssertFalse(QuantizedCheckpoint.isQuantized(float))
        XCTAssertThrowsError(try QuantizedCheckpoint(file: float)) { XCTAssertTrue("\($0)".contains("float.safetensors"), "\($0)") }
        let other = Sequential { Flatten(); ("fc1", Linear(64, 4)) }
        XCTAssertThrowsError(try QuantizedCheckpoint(file: file).restore(into: other))
    }
}
