import Foundation
import Swiftlet
import SwiftletBenchmarks
import XCTest

/// The PyTorch peer is a separate process; these stand in for its Python with a shell script
/// that prints what the peer script would (or fails as a Python without torch does).
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

    func testInferenceComparisonNeedsABatchAndARound() {
        XCTAssertThrowsError(try compareInferenceTimes([Linear(2, 2)], inputShape: [2], rounds: 0)) {
            XCTAssertEqual($0 as? TensorError, .settingOutOfRange(op: "compareInferenceTimes", setting: "rounds", value: 0, accepted: "at least 1"))
        }
    }
}
