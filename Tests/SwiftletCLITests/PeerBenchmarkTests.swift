import Foundation
import Swiftlet
@testable import SwiftletBenchmarks
@testable import SwiftletCLI
import XCTest

/// The PyTorch and ONNX Runtime peers are separate processes; these stand in for their Python
/// with a shell script that prints what the peer scripts would (or fails as a Python without
/// torch or onnxruntime does).
final class PeerBenchmarkTests: XCTestCase {
    private func fakePython(_ body: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fake-python-\(UUID().uuidString)")
        try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testDecompositionLinesAreReadByModelAndLabel() throws {
        let python = try fakePython("""
            echo 'torch warming up'
            echo '{"decompose": "cifar-simplecnn", "decomposition": "fc1 r16 + conv2 r8", "threads": 1, "batch": 64, "img_per_s": 6711, "original_img_per_s": 7248, "speedup": 0.93}'
            echo '{"decompose": "lenet300", "decomposition": "fc1 r20", "threads": 1, "batch": 64, "img_per_s": 571559, "original_img_per_s": 163302, "speedup": 3.5}'
            """)
        let peer = try PeerBenchmark.runDecompositions(python: python, threads: 1)
        XCTAssertEqual(peer.decompositions.count, 2)
        let cnn = try XCTUnwrap(peer.decompositions[PeerBenchmark.decompositionKey(model: "cifar-simplecnn", label: "fc1 r16 + conv2 r8")])
        XCTAssertEqual(cnn.imagesPerSecond, 6711)
        XCTAssertEqual(cnn.originalImagesPerSecond, 7248)
        XCTAssertEqual(cnn.speedup, 0.93)
        XCTAssertEqual(peer.decompositions[PeerBenchmark.decompositionKey(model: "lenet300", label: "fc1 r20")]?.speedup, 3.5)
        XCTAssertTrue(peer.models.isEmpty)
    }

    func testAFailingPeerNamesItsLastErrorLine() throws {
        let python = try fakePython("""
            echo 'Traceback (most recent call last):' >&2
            echo "ModuleNotFoundError: No module named 'torch'" >&2
            exit 1
            """)
        XCTAssertThrowsError(try PeerBenchmark.runDecompositions(python: python, threads: 2)) { error in
            XCTAssertTrue("\(error)".contains("No module named 'torch'"), "\(error)")
            XCTAssertTrue("\(error)".contains("pytorch_bench.py"), "\(error)")
        }
    }

    /// What Benchmarks/peer/ort_bench.py prints for lenet300 when every --model file it is
    /// given exists and is not empty (the exports were written), else an exit code of 3.
    private let ortLenet300 = """
        for a in "$@"; do case "$a" in *.onnx) test -s "$a" || exit 3;; esac; done
        echo 'onnxruntime warming up'
        echo '{"ort_model": "lenet300", "format": "fp32", "threads": 2, "batch": 64, "infer_img_per_s": 250000, "latency_b1_us": 30.5, "onnxruntime": "1.99.0"}'
        echo '{"ort_model": "lenet300", "format": "int8", "threads": 2, "batch": 64, "infer_img_per_s": 400000, "latency_b1_us": 20.0, "onnxruntime": "1.99.0"}'
        """

    func testONNXRuntimeLinesAreReadByModelAndFormat() throws {
        let python = try fakePython(ortLenet300)
        let runtime = try ONNXRuntimeBenchmark.run(python: python, threads: 2, models: ["lenet300"])
        XCTAssertNil(runtime.unavailable)
        XCTAssertEqual(runtime.version, "1.99.0")
        XCTAssertEqual(runtime.skipped, [])
        XCTAssertEqual(runtime.figures("lenet300", .fp32)?.inferImagesPerSecond, 250000)
        XCTAssertEqual(runtime.figures("lenet300", .fp32)?.latencyMicroseconds, 30.5)
        XCTAssertEqual(runtime.figures("lenet300", .int8)?.inferImagesPerSecond, 400000)
        XCTAssertNil(runtime.figures("mnist-net", .fp32))
    }

    func testAnExportTheScriptPrintedNothingForIsNamed() throws {
        let python = try fakePython(ortLenet300)
        let runtime = try ONNXRuntimeBenchmark.run(python: python, threads: 2, models: ["lenet300", "mnist-net"])
        XCTAssertEqual(runtime.skipped, ["mnist-net fp32: ort_bench.py printed no figures", "mnist-net int8: ort_bench.py printed no figures"])
    }

    /// `bench --only int8 --peer`: ONNX Runtime's int8 figure and ours over it on each row, in
    /// the table and as JSON lines, with the setup under the table.
    func testInt8BenchPutsONNXRuntimeInt8BesideOurs() throws {
        let python = try fakePython(ortLenet300)
        let arguments = ["bench", "--only", "int8", "--models", "lenet300", "--threads", "1", "--peer", python]
        let output = TextBuffer(), errors = TextBuffer()
        XCTAssertEqual(swiftletTool().run(arguments, console: Console(output: output, diagnostics: errors)), 0, errors.text)
        let lines = output.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("ONNX Runtime int8 img/s") && $0.contains("int8 / ONNX Runtime int8") }, output.text)
        let row = try XCTUnwrap(lines.first { $0.contains("lenet300") }).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        let ours = try XCTUnwrap(Double(row[3].replacingOccurrences(of: ",", with: "")))
        XCTAssertEqual(row[5], "400,000", output.text)
        XCTAssertEqual(row[6], String(format: "%.2f×", ours / 400_000), output.text)
        XCTAssertTrue(lines.last?.hasPrefix("ONNX Runtime 1.99.0: ") == true, output.text)

        let json = TextBuffer()
        XCTAssertEqual(swiftletTool().run(arguments + ["--json"], console: Console(output: json, diagnostics: TextBuffer())), 0)
        let objects = try json.text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(objects.compactMap { $0["bench"] as? String }, ["int8", "int8-onnxruntime"])
        XCTAssertEqual(objects.last?["onnxruntime_int8_img_per_s"] as? Int, 400_000)
    }

    func testAPythonWithoutONNXRuntimeIsSaidNotThrown() throws {
        let python = try fakePython("""
            echo 'Traceback (most recent call last):' >&2
            echo "ModuleNotFoundError: No module named 'onnxruntime'" >&2
            exit 1
            """)
        let runtime = try ONNXRuntimeBenchmark.run(python: python, threads: 2, models: ["lenet300"])
        XCTAssertTrue(runtime.figures.isEmpty)
        XCTAssertTrue(runtime.unavailable?.contains("ort_bench.py failed: ModuleNotFoundError: No module named 'onnxruntime'") == true,
                      "\(runtime.unavailable ?? "nil")")
    }

    func testTheReportPutsONNXRuntimeBesidePyTorchForInferenceAndLatencyOnly() {
        let ours = ModelMeasurement(model: "lenet300", threads: 2, batch: 64, trainImagesPerSecond: 50000, inferImagesPerSecond: 200000,
                                    latencyMicroseconds: 20)
        let peer = PeerBenchmark(threads: 2, models: ["lenet300": .init(name: "lenet300", trainImagesPerSecond: 25000, inferImagesPerSecond: 100000,
                                                                        latencyMicroseconds: 40)], sgemm: [:], decompositions: [:])
        let runtime = ONNXRuntimeBenchmark(threads: 2, batch: 64, figures: [
            "lenet300 fp32": .init(inferImagesPerSecond: 250000, latencyMicroseconds: 30), "lenet300 int8": .init(inferImagesPerSecond: 400000, latencyMicroseconds: 10),
        ], version: "1.99.0", unavailable: nil, skipped: [])
        let text = BenchReport(sgemm: [], models: [ours], peer: peer, onnxRuntime: runtime, only: nil).text
        let lines = text.split(separator: "\n")
        let rows = lines.filter { $0.hasPrefix("| lenet300") }.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertEqual(rows, [
            ["lenet300", "2", "50,000", "25000", "2.00×"],
            ["lenet300", "2", "200,000", "100000", "2.00×", "250000", "0.80×", "400000"],
            ["lenet300", "2", "20", "40.0", "2.00×", "30.0", "1.50×", "10.0"],
        ], text)
        XCTAssertEqual(lines.filter { $0.contains("ONNX Runtime fp32 (2 thr)") && $0.contains("ONNX Runtime int8 (2 thr)") }.count, 2, text)
        XCTAssertTrue(lines.last?.hasPrefix("ONNX Runtime 1.99.0: ") == true, text)
    }

    func testBenchPeerWithoutONNXRuntimeStillPrintsPyTorchAndSaysWhyInOneLine() throws {
        let python = try fakePython("""
            case "$1" in
            *pytorch_bench.py) echo '{"model": "lenet300", "threads": 1, "batch": 64, "train_img_per_s": 25000, "infer_img_per_s": 123456, "latency_b1_us": 40.5}';;
            *) echo "ModuleNotFoundError: No module named 'onnxruntime'" >&2; exit 1;;
            esac
            """)
        let output = TextBuffer(), errors = TextBuffer()
        let code = swiftletTool().run(["bench", "--only", "infer", "--models", "lenet300", "--threads", "1", "--peer", python],
                                      console: Console(output: output, diagnostics: errors))
        XCTAssertEqual(code, 0, errors.text)
        XCTAssertTrue(output.text.contains("PyTorch (1 thr)") && output.text.contains("123456"), output.text)
        XCTAssertFalse(output.text.contains("ONNX Runtime fp32"), output.text)
        let notes = output.text.split(separator: "\n").filter { $0.contains("ONNX Runtime") }
        XCTAssertEqual(notes.count, 1, output.text)
        XCTAssertTrue(notes.first?.hasPrefix("ONNX Runtime not measured: ") == true && notes.first?.contains("No module named 'onnxruntime'") == true,
                      output.text)
    }

    func testInferenceComparisonNeedsABatchAndARound() {
        XCTAssertThrowsError(try compareInferenceTimes([Linear(2, 2)], inputShape: [2], rounds: 0)) {
            XCTAssertEqual($0 as? TensorError, .settingOutOfRange(op: "compareInferenceTimes", setting: "rounds", value: 0, accepted: "at least 1"))
        }
    }
}
