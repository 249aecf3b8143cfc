import XCTest
@testable import SwiftletCLI

/// The one-line messages of the usage errors that commands detect themselves: each names
/// the options or files involved and what was expected.
final class UsageErrorTests: XCTestCase {
    func testOptionMistakesNameBothSides() {
        XCTAssertEqual("\(UsageError.needsExactlyOne(of: ["--rank R", "--energy E"], command: "swiftlet decompose"))",
                       "swiftlet decompose needs exactly one of --rank R and --energy E")
        XCTAssertEqual("\(UsageError.optionConflict("--scheme sym", requirement: "needs --bits 2…16 (use --scheme binary for 1-bit weights)", conflicting: "--bits 1"))",
                       "--scheme sym needs --bits 2…16 (use --scheme binary for 1-bit weights), got --bits 1")
    }

    func testModelAndDataMistakesNameTheShapes() {
        XCTAssertEqual("\(UsageError.datasetDoesNotFitModel(model: "mnist-net", expects: [1, 28, 28], dataset: "cifar10", has: [3, 32, 32]))",
                       "model mnist-net expects images 1×28×28, but dataset cifar10 has 3×32×32")
        XCTAssertEqual("\(UsageError.distillationInputsDiffer(teacher: "cifar-teacher", [3, 32, 32], student: "mlp-128", [1, 28, 28]))",
                       "teacher cifar-teacher and student mlp-128 take different images ([3, 32, 32] and [1, 28, 28]); distillation needs the same input")
        XCTAssertEqual("\(UsageError.quantizedCheckpoint(path: "q.safetensors", command: "swiftlet distill"))",
                       "q.safetensors is a quantized checkpoint; swiftlet distill needs float weights (the checkpoint it was quantized from)")
    }

    func testExportMismatchListsEveryFailure() {
        XCTAssertEqual("\(ONNXRuntimeMismatch(file: "m.onnx", failures: ["top-1 agreement 98.50% < 99.9 %", "max |logit difference| 0.2 > 0.01"]))",
                       "m.onnx does not match Swiftlet in ONNX Runtime: top-1 agreement 98.50% < 99.9 %; max |logit difference| 0.2 > 0.01")
    }
}
