import XCTest
@testable import Swiftlet

/// Quantization and quantized-checkpoint checks throw their typed case, with the values
/// they were given.
final class QuantizationErrorTests: XCTestCase {
    func testStoredPartsMustFitTheFormat() throws {
        let affine = QuantizationFormat.affine(try QuantizationScheme(bits: 2))
        assertThrows(try QuantizedTensor(shape: [2], format: affine, codes: [1], scales: [1], zeroPoints: [0]),
                     QuantizationError.partCountMismatch(shape: [2], format: affine, expected: [2, 1, 1], got: [1, 1, 1]))
        assertThrows(try QuantizedTensor(shape: [2], format: affine, codes: [0, 5], scales: [1], zeroPoints: [0]),
                     QuantizationError.codeOutOfRange(5, format: affine, lowest: 0, highest: 3))
        let zeroScale = try XCTUnwrap(QuantizationScheme(bits: 2).problem(with: AffineParameters(scale: 0, zeroPoint: 0)))
        assertThrows(try QuantizedTensor(shape: [2], format: affine, codes: [0, 1], scales: [0], zeroPoints: [0]),
                     QuantizationError.invalidParameters(owner: "\(affine)", problem: zeroScale))
        let binary = QuantizationFormat.binary(.perTensor)
        assertThrows(try QuantizedTensor(shape: [2], format: binary, codes: [0, 1], scales: [-1], zeroPoints: []),
                     QuantizationError.invalidScale(-1, format: binary))
        assertThrows(try QuantizedTensor(shape: [2], format: binary, codes: [0, 2], scales: [1], zeroPoints: []),
                     QuantizationError.codeOutOfRange(2, format: binary, lowest: 0, highest: 1))
    }

    func testActivationQuantizersAndCalibration() throws {
        assertThrows(try prepareQuantization(Sequential { ReLU() }, weights: .float16), QuantizationError.noQuantizableLayer)
        let perChannel = try QuantizationScheme(bits: 8, granularity: .perChannel)
        assertThrows(try ActivationQuantizer(scheme: perChannel, observer: MinMaxObserver()), QuantizationError.perChannelActivations(perChannel))
        let frozen = AffineParameters(scale: 0, zeroPoint: 0)
        assertThrows(try ActivationQuantizer(scheme: .int8Activations, frozen: frozen),
                     QuantizationError.invalidParameters(owner: "ActivationQuantizer frozen parameters",
                                                         problem: try XCTUnwrap(QuantizationScheme.int8Activations.problem(with: frozen))))
        let model = Sequential { ("fc", Linear(2, 2)) }
        try prepareQuantization(model, weights: .affine(.int8Weights), activations: .int8Activations)
        assertThrows(try calibrateQuantization(model, batches: [Tensor]()), QuantizationError.notCalibrated(layer: "fc"))
        assertThrows(try QuantizedCheckpoint(model: model), QuantizationError.notCalibrated(layer: "fc"))
    }

    func testCheckpointPartsAreCheckedWhenRead() throws {
        let model = Sequential { ("fc", Linear(2, 2)) }
        try prepareQuantization(model, weights: .affine(.int8Weights))
        let checkpoint = try QuantizedCheckpoint(model: model)
        let withoutScale = QuantizedCheckpoint(tensors: checkpoint.tensors.filter { $0.name != "fc.weight.scale" }, metadata: checkpoint.metadata)
        let missing = QuantizedCheckpointError.missingPart(weight: "fc.weight", part: "fc.weight.scale", dtype: "F32")
        assertThrows(try withoutScale.quantizedTensors(),
                     SafeTensorsError(file: "in-memory quantized checkpoint", reason: .invalidValue(tensor: "fc.weight", "\(missing)")))
        assertThrows(try fromLittleEndian([0, 0, 0], as: Float.self), QuantizedCheckpointError.partialValues(bytes: 3, size: 4, type: "Float"))
        let short = QuantizedCheckpoint(tensors: [StoredTensor(name: "w", dtype: "F32", shape: [2], bytes: [0, 0, 0])], metadata: [:])
        assertThrows(try short.safeTensorsFile(), QuantizedCheckpointError.byteCountMismatch(tensor: "w", bytes: 3, dtype: "F32", shape: [2]))
    }
}
