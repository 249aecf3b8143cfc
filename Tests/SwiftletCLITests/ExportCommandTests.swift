import Foundation
import Swiftlet
import XCTest
@testable import SwiftletCLI

/// `swiftlet export` on checkpoints of the tiny dataset's size; `--verify` against a stand-in
/// for Python that prints what Benchmarks/peer/onnx_check.py prints, so no Python is needed.
final class ExportCommandTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    private func checkpoint() throws -> String {
        GlobalRandom.seed(3)
        let url = folder.appendingPathComponent("net.safetensors")
        try ModelZoo.entry("mnist-net").make().save(to: url)
        return url.path
    }

    /// An executable script that checks its arguments and prints `result` as the checker's JSON line.
    private func fakePython(agreement: Double) throws -> String {
        let url = folder.appendingPathComponent("fake-python-\(agreement)")
        let line = #"{"model": "m", "checker": "passed", "canonical": true, "images": 10, "threads": 1, "batch": 64, "max_abs_diff": 2e-06, "#
            + #""top1_agreement": \#(agreement), "ort_accuracy": 20.0, "swiftlet_accuracy": 20.0, "ort_img_per_s": 1234.0, "onnxruntime": "fake", "ort_ops": {"Conv": 2}}"#
        try """
            #!/bin/sh
            case "$1" in *onnx_check.py) ;; *) echo "not the checker: $1" >&2; exit 2 ;; esac
            test -f "$2" && test -f "$3" || { echo "missing $2 or $3" >&2; exit 3; }
            echo '\(line)'
            """.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    func testExportWritesTheSameFileEveryTimeAndInt8IsUnderAThirdOfIt() throws {
        let checkpoint = try checkpoint()
        let out = folder.appendingPathComponent("net.onnx")
        let first = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", out.path, "--json"])
        XCTAssertEqual(first.code, 0, first.errors)
        let line = try XCTUnwrap(try jsonLines(first.output).first)
        let bytes = try Data(contentsOf: out)
        XCTAssertEqual(line["bytes"] as? Int, bytes.count)
        XCTAssertEqual(line["format"] as? String, "float")
        XCTAssertEqual(line["opset"] as? Int, 17)
        XCTAssertEqual(run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", out.path]).code, 0)
        XCTAssertEqual(try Data(contentsOf: out), bytes, "same checkpoint, same bytes")

        let int8 = folder.appendingPathComponent("int8.onnx")
        let quantized = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", int8.path, "--int8",
                             "--dataset", data, "--calibrate", "64", "--json"])
        XCTAssertEqual(quantized.code, 0, quantized.errors)
        XCTAssertEqual(try jsonLines(quantized.output).first?["format"] as? String, "int8 QDQ")
        let size = try Data(contentsOf: int8).count
        XCTAssertLessThanOrEqual(Double(size), 0.3 * Double(bytes.count), "int8 weights, per-channel scales, int32 biases")
    }

    func testVerifyHandsTheCheckerImagesLabelsAndSwiftletsLogits() throws {
        let checkpoint = try checkpoint()
        let out = folder.appendingPathComponent("verified.onnx")
        let result = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", out.path, "--dataset", data,
                          "--verify", try fakePython(agreement: 100), "--verify-images", "10"])
        XCTAssertEqual(result.code, 0, result.errors)
        XCTAssertTrue(result.output.contains("top-1 agreement         100.00%"), result.output)
        XCTAssertTrue(result.output.contains("ONNX Runtime 1,234"), result.output)
        XCTAssertTrue(result.output.contains(", Swiftlet InferencePlan "), "the float model is also timed as a plan: \(result.output)")
        XCTAssertTrue(result.output.hasSuffix("verified\n"), result.output)

        let file = try SafeTensorsFile.read(from: folder.appendingPathComponent("verified.verify.safetensors"))
        let input = try file.floats(named: "input", shape: [10, 1, 28, 28])
        XCTAssertEqual(try file.integers(named: "labels", shape: [10]), (0..<10).map { $0 % 10 }, "the tiny dataset's first test labels")
        let model = ModelZoo.entries.first { $0.name == "mnist-net" }!.make()
        try model.load(from: URL(fileURLWithPath: checkpoint))
        model.eval()
        let logits = try withNoGrad { try model(Tensor(shape: [10, 1, 28, 28], scalars: input)) }
        XCTAssertEqual(try file.floats(named: "logits", shape: [10, 10]), logits.scalars)

        let failed = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", out.path, "--dataset", data,
                          "--verify", try fakePython(agreement: 98.5), "--verify-images", "10"])
        XCTAssertEqual(failed.code, 1)
        XCTAssertTrue(failed.errors.contains("verified.onnx does not match Swiftlet in ONNX Runtime: top-1 agreement 98.50% < 99.9 %"), failed.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path), "the export itself stays")

        let missing = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint, "--out", out.path, "--dataset", data,
                           "--verify", folder.appendingPathComponent("no-such-python").path, "--verify-images", "10"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.errors.contains("cannot run"), missing.errors)
    }

    func testQuantizedCheckpointsExportAsTheyCompute() throws {
        let checkpoint = try checkpoint()
        let fourBit = folder.appendingPathComponent("q4").path
        XCTAssertEqual(run(["quantize", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--bits", "4", "--out", fourBit]).code, 0)
        let weights = run(["export", "--model", "mnist-net", "--checkpoint", fourBit + "/model.safetensors", "--out",
                           folder.appendingPathComponent("q4.onnx").path])
        XCTAssertEqual(weights.code, 0, weights.errors)
        XCTAssertTrue(weights.errors.contains("note: 4-bit symmetric rounding per-channel weights of conv1, conv2, fc1, fc2 are written as float initializers holding their dequantized values"), weights.errors)

        let int8 = folder.appendingPathComponent("q8").path
        XCTAssertEqual(run(["quantize", "--model", "mnist-net", "--checkpoint", checkpoint, "--dataset", data, "--bits", "8", "--activations",
                            "--calibrate", "64", "--out", int8]).code, 0)
        let qdq = run(["export", "--model", "mnist-net", "--checkpoint", int8 + "/model.safetensors", "--dataset", data, "--out",
                       folder.appendingPathComponent("q8.onnx").path, "--json"])
        XCTAssertEqual(qdq.code, 0, qdq.errors)
        XCTAssertEqual(try jsonLines(qdq.output).first?["format"] as? String, "int8 QDQ", "every layer quantizes its input to 8 bits")
    }

    func testMistakesAreOneLineErrors() throws {
        let checkpoint = try checkpoint()
        let noOut = run(["export", "--model", "mnist-net", "--checkpoint", checkpoint])
        XCTAssertEqual(noOut.code, 1)
        XCTAssertTrue(noOut.errors.contains("expects <--out>"), noOut.errors)
        let wrongModel = run(["export", "--model", "lenet300", "--checkpoint", checkpoint, "--out", folder.appendingPathComponent("x.onnx").path])
        XCTAssertEqual(wrongModel.code, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.onnx").path))
    }
}
