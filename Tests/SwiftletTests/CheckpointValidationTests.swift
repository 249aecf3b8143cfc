import Foundation
import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Checkpoints are read from files anyone can edit: every hostile value is refused at load
/// with an error naming the file and the tensor, and nothing traps (issue #25).
final class CheckpointValidationTests: XCTestCase {
    private let fileName = "q.safetensors"

    private func makeNet() -> Sequential {
        Sequential {
            ("conv1", Conv2d(1, 2, kernelSize: 3)); ReLU()
            Flatten(); ("fc1", Linear(32, 8)); ReLU(); ("fc2", Linear(8, 3))
        }
    }

    private func images(seed: UInt64) -> Tensor {
        var generator = SeededRandom(seed: seed)
        return Tensor(shape: [4, 1, 6, 6], scalars: (0..<144).map { _ in generator.nextUniform(-1, 1) })
    }

    /// A calibrated quantized checkpoint of `makeNet()`, as a file named `fileName`.
    private func quantizedFile(_ format: QuantizationFormat) throws -> SafeTensorsFile {
        let model = makeNet()
        try prepareQuantization(model, weights: format, activations: .int8Activations)
        try calibrateQuantization(model, batches: [images(seed: 1)])
        let bytes = try QuantizedCheckpoint(model: model).safeTensorsFile().encoded()
        return try SafeTensorsFile(decoding: bytes, source: fileName)
    }

    private func replacing(_ name: String, with bytes: [UInt8], in file: SafeTensorsFile) -> SafeTensorsFile {
        var file = file
        let record = file.tensors[name]!
        file.tensors[name] = SafeTensorsRecord(dtype: record.dtype, shape: record.shape, bytes: bytes)
        return file
    }

    private func float32(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
    private func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    /// Restores `file` into a fresh net; the error must name the file and `tensor`.
    private func assertRefused(_ file: SafeTensorsFile, naming tensor: String, _ words: String,
                               line: UInt = #line) {
        XCTAssertThrowsError(try QuantizedCheckpoint(file: file).restore(into: makeNet()), line: line) { error in
            let message = "\(error)"
            for expected in [fileName, tensor, words] {
                XCTAssertTrue(message.contains(expected), "\(message) should name \(expected)", line: line)
            }
        }
    }

    func testHostileActivationScalesAndZeroPointsAreRefused() throws {
        let file = try quantizedFile(.affine(.int8Weights))
        for scale in [Float.nan, 0, .infinity, -1] {
            assertRefused(replacing("fc1.input_scale", with: float32([scale]), in: file), naming: "fc1.input_scale", "scale \(scale)")
        }
        for zeroPoint in [Int32.min, -1, 256, .max] {
            assertRefused(replacing("fc1.input_zero_point", with: int32(zeroPoint), in: file), naming: "fc1.input_zero_point",
                          "zero point \(zeroPoint)")
        }
        // The library path refuses them too.
        XCTAssertThrowsError(try ActivationQuantizer(scheme: .int8Activations, frozen: AffineParameters(scale: 0.1, zeroPoint: .min)))
    }

    func testHostileWeightScalesZeroPointsAndCodesAreRefused() throws {
        let asymmetric = try quantizedFile(.affine(QuantizationScheme(bits: 4, granularity: .perChannel)))
        let scales = asymmetric.tensors["fc1.weight.scale"]!.bytes.count / 4
        assertRefused(replacing("fc1.weight.scale", with: float32([.nan] + Array(repeating: 1, count: scales - 1)), in: asymmetric),
                      naming: "fc1.weight", "scale nan")
        // 4-bit codes are 0…15, so a U8 zero point of 200 is none of them.
        assertRefused(replacing("fc1.weight.zero_point", with: [200] + Array(repeating: 0, count: scales - 1), in: asymmetric),
                      naming: "fc1.weight", "zero point 200")
        // 8-bit symmetric codes are −127…127: the stored offset 255 would be code 128.
        let symmetric = try quantizedFile(.affine(.int8Weights))
        let codes = symmetric.tensors["fc2.weight.codes"]!.bytes
        assertRefused(replacing("fc2.weight.codes", with: [255] + codes.dropFirst(), in: symmetric), naming: "fc2.weight", "code 128")
        let ternary = try quantizedFile(.ternary(.perChannel))
        let ternaryCodes = ternary.tensors["fc2.weight.codes"]!.bytes
        assertRefused(replacing("fc2.weight.codes", with: [0xFF] + ternaryCodes.dropFirst(), in: ternary), naming: "fc2.weight", "code 3")
    }

    func testMetadataShapesThatOverflowAreRefused() throws {
        var file = try quantizedFile(.affine(.int8Weights))
        for shape in ["2305843009213693952,2305843009213693952", "0,4611686018427387904,4611686018427387904", "1152921504606846976,8"] {
            file.metadata["quantized:fc2.weight"] = "affine bits=8 mapping=symmetric rounding=nearest granularity=perChannel shape=\(shape)"
            assertRefused(file, naming: "fc2.weight", "is too large")
        }
        XCTAssertThrowsError(try BitPacking.unpack([], bits: 16, count: Int.max / 2))
    }

    func testNonFiniteBiasIsRefusedUnlessAllowedAndThenDoesNotTrap() throws {
        let file = replacing("fc1.bias", with: float32([.nan] + Array(repeating: 0, count: 7)), in: try quantizedFile(.affine(.int8Weights)))
        assertRefused(file, naming: "fc1.bias", "holds nan at element 0")
        let model = makeNet()
        try QuantizedCheckpoint(file: file).restore(into: model, allowNonFinite: true)
        model.eval()
        XCTAssertEqual(try Int8InferenceModel(model, inputShape: [1, 6, 6])(images(seed: 2)).shape, [4, 3])
    }

    func testExtremeButValidScalesDoNotTrapTheInt8Pipeline() throws {
        // 3e38 over 1e-45 divides to infinity; 1e-45 times a weight scale underflows to 0, so a
        // zero bias becomes 0/0 accumulator units.
        var file = try quantizedFile(.affine(.int8Weights))
        file = replacing("conv1.input_scale", with: float32([3e38]), in: file)
        file = replacing("fc1.input_scale", with: float32([.leastNonzeroMagnitude]), in: file)
        file = replacing("fc1.bias", with: float32(Array(repeating: 0, count: 8)), in: file)
        let model = makeNet()
        try QuantizedCheckpoint(file: file).restore(into: model)
        model.eval()
        XCTAssertEqual(try Int8InferenceModel(model, inputShape: [1, 6, 6])(images(seed: 3)).shape, [4, 3])

        let huge = Int8InferenceModel.Grid(scheme: .int8Activations, parameters: AffineParameters(scale: 3e38, zeroPoint: 0))
        let tiny = Int8InferenceModel.Grid(scheme: .int8Activations, parameters: AffineParameters(scale: .leastNonzeroMagnitude, zeroPoint: 255))
        let rescale = Int8InferenceModel.Rescale(from: huge, to: tiny, fusedReLU: false)
        XCTAssertTrue(rescale.multiplier.isFinite)
        XCTAssertEqual(rescale.code(level: .infinity - .infinity), rescale.bounds.upper)
        XCTAssertEqual(rescale.code(level: -.infinity), rescale.bounds.lower)
    }

    // MARK: Float checkpoints

    private func write(_ file: SafeTensorsFile, named name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-\(UUID().uuidString)-\(name)")
        try file.write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func floatFile(of model: Module) -> SafeTensorsFile {
        SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: model.stateDict.map {
            ($0.name, SafeTensorsRecord(floats: $0.tensor.scalars, shape: $0.tensor.shape))
        }))
    }

    func testNonFiniteWeightsAreRefusedUnlessAllowed() throws {
        var file = floatFile(of: makeNet())
        file.tensors["fc2.bias"] = SafeTensorsRecord(floats: [0, .infinity, .nan], shape: [3])
        let url = try write(file, named: "nan.safetensors")
        for load in [{ try self.makeNet().load(from: url) }, { try self.makeNet().loadPruned(from: url) }] as [() throws -> SafeTensorsFile] {
            XCTAssertThrowsError(try load()) { error in
                XCTAssertEqual(error as? SafeTensorsError, SafeTensorsError(file: url.path, reason: .nonFiniteValue(tensor: "fc2.bias", index: 1, value: .infinity)))
            }
        }
        let model = makeNet()
        try model.loadPruned(from: url, allowNonFinite: true)
        XCTAssertTrue(model.stateDict.first { $0.name == "fc2.bias" }!.tensor.scalars[2].isNaN)
        XCTAssertNoThrow(try makeNet().load(from: url, allowNonFinite: true))
    }

    func testPrunedShapesMayOnlyShrink() throws {
        var file = floatFile(of: makeNet())
        file.tensors["fc1.weight"] = SafeTensorsRecord(floats: [], shape: [1 << 60, 0])
        let url = try write(file, named: "grown.safetensors")
        XCTAssertThrowsError(try makeNet().loadPruned(from: url)) { error in
            XCTAssertEqual(error as? SafeTensorsError, SafeTensorsError(file: url.path, reason: .shapeMismatch(tensor: "fc1.weight", shape: [1 << 60, 0], expected: [8, 32])))
        }
    }

    func testShapesWhoseNonZeroDimensionsOverflowAreRefusedEvenIfEmpty() throws {
        let header = Array(#"{"w":{"dtype":"F32","shape":[0,4611686018427387904,4611686018427387904],"data_offsets":[0,0]}}"#.utf8)
        var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        bytes += header
        XCTAssertThrowsError(try SafeTensorsFile(decoding: bytes, source: "empty.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("too large"), "\(error)")
        }
        XCTAssertEqual(ShapeArithmetic.byteCount(of: [0, 1 << 62, 1 << 62]), nil)
        XCTAssertEqual(ShapeArithmetic.byteCount(of: [0, 5], elementBytes: 4), 0)
        XCTAssertEqual(ShapeArithmetic.byteCount(of: [3, 5], elementBytes: 4), 60)
        XCTAssertEqual(ShapeArithmetic.byteCount(of: [-1]), nil)
    }
}
