import XCTest
@testable import Swiftlet

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() throws {
        let x = try Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        try (x * 2).sum().backward()
        try (x * 2).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [4, 4, 4])
        x.zeroGrad()
        try (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 3, 3])
    }

    func testBackwardOnNonScalarNeedsSeed() throws {
        let x = try Tensor([1, 2], shape: [2], requiresGrad: true)
        XCTAssertThrowsError(try (x * 2).backward()) { XCTAssertEqual($0 as? TensorError, .backwardNeedsSeed(shape: [2])) }
        XCTAssertThrowsError(try (x * 2).backward(Tensor.ones([3])))
        try (x * 2).backward(Tensor.ones([2]))
        XCTAssertEqual(x.grad?.scalars, [2, 2])
    }

    func testNoGradRecordsNothing() throws {
        let x = try Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        XCTAssertNil(y.gradientNode)
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.sum().backward()) { XCTAssertEqual($0 as? TensorError, .noGradientRecorded) }
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testDetachStopsGradient() throws {
        let x = try Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = try x * x.detached()  // d/dx = x (only the left factor)
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])
    }

    func testTopologicalOrderPutsInputsFirst() throws {
        let a = try Tensor([1], shape: [1], requiresGrad: true)
        let b = a * 2
        let c = try b + a
        let order = c.topologicalOrder().map { ObjectIdentifier($0) }
        XCTAssertLessThan(order.firstIndex(of: ObjectIdentifier(a))!, order.firstIndex(of: ObjectIdentifier(b))!)
        XCTAssertEqual(order.last, ObjectIdentifier(c))
    }

    func testShapeErrorsAreThrownNotCrashes() {
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2]))
        XCTAssertThrowsError(try Tensor.zeros([2, 3]) + Tensor.zeros([4]))
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3])))
        XCTAssertThrowsError(try Tensor.zeros([6]).reshaped([4, -1]))
        assertThrows(try crossEntropy(Tensor.zeros([2, 3]), [0, 3]), TensorError.labelOutOfRange(op: "crossEntropy", label: 3, classes: 3))
        assertThrows(try Tensor.zeros([2]).sum(alongAxes: [1]), TensorError.axisOutOfRange(op: "sum", axis: 1, shape: [2]))
    }

    func testLogSoftmaxIsStableForHugeLogits() throws {
        let x = try Tensor([1000, 0, -1000, 5000, 5001, 4999], shape: [2, 3])
        let y = try x.logSoftmax().scalars
        XCTAssertTrue(y.allSatisfy { $0.isFinite || $0 == -.infinity })
        XCTAssertEqual(y[0], 0, accuracy: 1e-6)
        XCTAssertEqual(y[4], -0.40760596, accuracy: 1e-5)
    }
}

final class LossModuleTests: XCTestCase {
    func testLossModulesEqualTheirFunctions() throws {
        let logits = try Tensor([2, -1, 0.5, 0, 3, 1], shape: [2, 3]), teacher = try Tensor([1, 0, 0, 0, 2, 1], shape: [2, 3])
        XCTAssertEqual(try CrossEntropyLoss()(logits, [0, 1]).item, try crossEntropy(logits, [0, 1]).item)
        let logProbabilities = try logits.logSoftmax()
        XCTAssertEqual(try NLLLoss()(logProbabilities, [2, 1]).item, try nllLoss(logProbabilities, [2, 1]).item)
        XCTAssertEqual(try MSELoss()(logits, teacher).item, try mseLoss(logits, teacher).item)
        XCTAssertEqual(try KLDivergenceLoss(temperature: 2)(studentLogits: logits, teacherLogits: teacher).item,
                       try klDivergence(studentLogits: logits, teacherLogits: teacher, temperature: 2).item)
        XCTAssertEqual(try crossEntropy(logits, [0, 1]).item, try nllLoss(logProbabilities, [0, 1]).item, accuracy: 1e-6)
    }
}
