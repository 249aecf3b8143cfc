import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// Checkpoints edited by hand or by accident: one-line errors with exit code 1, and
/// `--allow-non-finite` for weights that are NaN or infinite on purpose (issue #25).
final class UntrustedCheckpointCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    /// A mnist-net checkpoint with fresh weights, `edit`ed before it is written.
    private func checkpoint(_ name: String, _ edit: (inout SafeTensorsFile) -> Void) throws -> String {
        let model = try XCTUnwrap(ModelZoo.entries.first { $0.name == "mnist-net" }).make()
        var file = SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: model.stateDict.map {
            ($0.name, SafeTensorsRecord(floats: $0.tensor.scalars, shape: $0.tensor.shape))
        }))
        edit(&file)
        let url = folder.appendingPathComponent(name)
        try file.write(to: url)
        return url.path
    }

    func testNonFiniteWeightsNeedAllowNonFinite() throws {
        let path = try checkpoint("nan.safetensors") { $0.tensors["fc2.bias"] = SafeTensorsRecord(floats: [0, 0, 0, .nan, 0, 0, 0, 0, 0, 0], shape: [10]) }
        let refused = run(["evaluate", "--model", "mnist-net", "--checkpoint", path, "--dataset", data])
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.errors.contains("tensor fc2.bias in \(path) holds nan at element 3"), refused.errors)
        XCTAssertTrue(refused.errors.contains("--allow-non-finite"), refused.errors)
        let allowed = run(["evaluate", "--model", "mnist-net", "--checkpoint", path, "--dataset", data, "--allow-non-finite"])
        XCTAssertEqual(allowed.code, 0, allowed.errors)
    }

    func testAPrunedLayerCannotGrow() throws {
        let path = try checkpoint("grown.safetensors") { $0.tensors["fc1.weight"] = SafeTensorsRecord(floats: [], shape: [1 << 60, 0]) }
        let result = run(["evaluate", "--model", "mnist-net", "--checkpoint", path, "--dataset", data])
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.errors.contains("tensor fc1.weight has shape [1152921504606846976, 0] in \(path), expected [50, 320]"), result.errors)
    }

    func testHostileQuantizedCheckpointIsAOneLineError() throws {
        let float = try checkpoint("float.safetensors") { _ in }
        let out = folder.appendingPathComponent("q").path
        let quantize = run(["quantize", "--model", "mnist-net", "--checkpoint", float, "--dataset", data, "--activations",
                            "--calibrate", "64", "--out", out])
        XCTAssertEqual(quantize.code, 0, quantize.errors)
        let quantized = URL(fileURLWithPath: out).appendingPathComponent("model.safetensors")
        var file = try SafeTensorsFile.read(from: quantized)
        file.tensors["fc1.input_zero_point"] = SafeTensorsRecord(integers: [Int32.min], shape: [1])
        try file.write(to: quantized)
        let result = run(["evaluate", "--model", "mnist-net", "--checkpoint", quantized.path, "--dataset", data])
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.errors.contains("tensor fc1.input_zero_point in \(quantized.path): input zero point -2147483648"), result.errors)
    }
}
