import XCTest
@testable import Swiftlet

/// Every op and layer check that has its own `TensorError` case throws that case, with the
/// values it was given.
final class OpSettingErrorTests: XCTestCase {
    func testSettingsOutOfRangeNameTheSettingAndItsValue() {
        assertThrows(try Tensor.zeros([2]).dropout(probability: 1),
                     TensorError.settingOutOfRange(op: "dropout", setting: "probability", value: 1, accepted: "in [0, 1)"))
        assertThrows(try klDivergence(studentLogits: Tensor.zeros([2, 3]), teacherLogits: Tensor.zeros([2, 3]), temperature: 0),
                     TensorError.settingOutOfRange(op: "klDivergence", setting: "temperature", value: 0, accepted: "positive"))
        assertThrows(try DistillationLoss(alpha: 2)(studentLogits: Tensor.zeros([2, 3]), teacherLogits: Tensor.zeros([2, 3]), labels: [0, 1]),
                     TensorError.settingOutOfRange(op: "DistillationLoss", setting: "alpha", value: 2, accepted: "in [0, 1]"))
        XCTAssertEqual("\(TensorError.settingOutOfRange(op: "dropout", setting: "probability", value: 1, accepted: "in [0, 1)"))",
                       "dropout: probability must be in [0, 1), got 1.0")
    }

    func testShapeOpsSayWhatTheyExpected() {
        assertThrows(try Tensor.zeros([3]).transposed(), TensorError.unexpectedShape(op: "transpose", [3], expected: "at least 2 dimensions"))
        assertThrows(try Tensor.zeros([2, 3]).permuted([0, 0]), TensorError.notAPermutation([0, 0], shape: [2, 3]))
        assertThrows(try Tensor.zeros([6]).reshaped([-1, -1]),
                     TensorError.invalidShape([-1, -1], "reshape takes at most one -1 and no other negative size"))
        XCTAssertEqual("\(TensorError.unexpectedShape(op: "transpose", [3], expected: "at least 2 dimensions"))",
                       "transpose: expects at least 2 dimensions, got shape [3]")
    }

    func testLabelsMustMatchTheBatchAndTheClasses() {
        assertThrows(try crossEntropy(Tensor.zeros([2, 3]), [0]), TensorError.labelCountMismatch(op: "crossEntropy", labels: 1, batch: 2))
        assertThrows(try nllLoss(Tensor.zeros([2, 3]), [0, -1]), TensorError.labelOutOfRange(op: "nllLoss", label: -1, classes: 3))
    }

    func testWindowsThatLeaveNoOutput() {
        assertThrows(try conv2d(Tensor.zeros([1, 1, 2, 2]), weight: Tensor.zeros([1, 1, 3, 3])),
                     TensorError.convolutionHasNoOutput(input: [1, 1, 2, 2], kernel: Size2D(3, 3), stride: 1, padding: 0, dilation: 1))
        assertThrows(try maxPool2d(Tensor.zeros([1, 1, 4, 4]), kernelSize: 2, padding: 2),
                     TensorError.poolWindowDoesNotFit(op: "maxPool2d", input: [1, 1, 4, 4], kernel: 2, stride: 2, padding: 2))
    }

    func testBatchNormTrainingNeedsTwoValuesPerChannel() {
        assertThrows(try BatchNorm1d(2)(Tensor.zeros([1, 2])),
                     TensorError.tooFewValues(op: "batchNorm", shape: [1, 2], needed: "more than one value per channel in training"))
    }

    func testUnknownModelListsTheKnownOnes() {
        assertThrows(try ModelZoo.entry("lenet-6"), ModelZooError.unknownModel("lenet-6", known: ModelZoo.entries.map(\.name)))
    }
}
