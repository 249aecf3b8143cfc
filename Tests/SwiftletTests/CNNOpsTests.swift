import XCTest
@testable import Swiftlet

/// concat, globalAvgPool2d, padded and sliced (and their layers): values worked by hand,
/// how they compose, and a typed error — never a crash — for every bad argument.
final class CNNOpsTests: XCTestCase {
    private func tensor(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(Float.init), requiresGrad: requiresGrad)
    }

    func testConcatJoinsChannels() throws {
        let a = tensor([2, 1, 2]), b = tensor([2, 2, 2]).affine(scale: 1, shift: 10)
        let y = try concat([a, b])
        XCTAssertEqual(y.shape, [2, 3, 2])
        XCTAssertEqual(y.scalars, [0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17])
        XCTAssertEqual(try concat([a, a], alongAxis: -1).scalars, [0, 1, 0, 1, 2, 3, 2, 3])
        XCTAssertEqual(try concat([a]).scalars, a.scalars)
    }

    func testConcatGivesNoGradientToConstants() throws {
        let x = tensor([2, 3], requiresGrad: true), constant = tensor([2, 1])
        try concat([constant, x, x]).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [Float](repeating: 2, count: 6))
        XCTAssertNil(constant.grad)
    }

    func testGlobalAvgPool2dAveragesEachPlane() throws {
        let y = try globalAvgPool2d(tensor([2, 2, 3, 3]))
        XCTAssertEqual(y.shape, [2, 2, 1, 1])
        XCTAssertEqual(y.scalars, [4, 13, 22, 31])
        XCTAssertEqual(try GlobalAvgPool2d()(tensor([1, 3, 1, 1])).scalars, [0, 1, 2])
    }

    func testPaddedAndSlicedInvertEachOther() throws {
        let x = tensor([2, 3, 4])
        let p = try x.padded([(1, 0), (0, 2), (3, 1)], value: -1)
        XCTAssertEqual(p.shape, [3, 5, 8])
        XCTAssertEqual(p.scalars.filter { $0 == -1 }.count, p.count - x.count)
        let back = try p.sliced(alongAxis: 0, 1..<3).sliced(alongAxis: 1, 0..<3).sliced(alongAxis: -1, 3..<7)
        XCTAssertEqual(back.shape, x.shape)
        XCTAssertEqual(back.scalars, x.scalars)
        XCTAssertEqual(try x.padded([(0, 0), (0, 0), (0, 0)]).scalars, x.scalars)
        XCTAssertEqual(try Tensor(2).padded([]).scalars, [2])
    }

    func testSlicesConcatenateBackToTheTensor() throws {
        let x = tensor([2, 5, 2])
        let parts = try [0..<2, 2..<2, 2..<5].map { try x.sliced(alongAxis: 1, $0) }
        XCTAssertEqual(parts.map(\.shape), [[2, 2, 2], [2, 0, 2], [2, 3, 2]])
        XCTAssertEqual(try concat(parts).scalars, x.scalars)
        XCTAssertEqual(try x.sliced(alongAxis: 1, 4..<5).scalars, [8, 9, 18, 19])
    }

    func testZeroPad2d() throws {
        let y = try ZeroPad2d(left: 1, right: 0, top: 0, bottom: 1)(tensor([1, 2, 2]))
        XCTAssertEqual(y.shape, [1, 3, 3])
        XCTAssertEqual(y.scalars, [0, 0, 1, 0, 2, 3, 0, 0, 0])
        XCTAssertEqual(try ZeroPad2d(2)(tensor([1, 1, 1, 1])).shape, [1, 1, 5, 5])
        XCTAssertTrue(ZeroPad2d(1).stateDict.isEmpty)
    }

    // MARK: - errors

    func testConcatErrors() {
        assertThrows(try concat([]), TensorError.noTensors(op: "concat"))
        assertThrows(try concat([tensor([2, 3])], alongAxis: 2), TensorError.axisOutOfRange(op: "concat", axis: 2, shape: [2, 3]))
        assertThrows(try concat([tensor([2, 3])], alongAxis: -3), TensorError.axisOutOfRange(op: "concat", axis: -3, shape: [2, 3]))
        assertThrows(try concat([Tensor(1), Tensor(2)], alongAxis: 0), TensorError.axisOutOfRange(op: "concat", axis: 0, shape: []))
        assertThrows(try concat([tensor([2, 3]), tensor([2, 3, 1])]), TensorError.shapeMismatch(
            op: "concat", [2, 3], [2, 3, 1], "tensor 1 has rank 3, tensor 0 rank 2; all tensors need the same rank"))
        assertThrows(try concat([tensor([2, 3, 4]), tensor([2, 3, 4]), tensor([2, 5, 5])]), TensorError.shapeMismatch(
            op: "concat", [2, 3, 4], [2, 5, 5],
            "tensor 2 has size 5 in dimension 2, tensor 0 has 4; every dimension except the concatenation axis 1 must match"))
    }

    func testGlobalAvgPool2dErrors() {
        assertThrows(try globalAvgPool2d(tensor([2, 3, 4])), TensorError.unexpectedShape(op: "globalAvgPool2d", [2, 3, 4], expected: "input [N, C, H, W]"))
        assertThrows(try globalAvgPool2d(tensor([1, 2, 0, 3])),
                     TensorError.tooFewValues(op: "globalAvgPool2d", shape: [1, 2, 0, 3], needed: "non-empty H × W planes to average"))
        assertThrows(try GlobalAvgPool2d()(tensor([6])), TensorError.unexpectedShape(op: "globalAvgPool2d", [6], expected: "input [N, C, H, W]"))
    }

    func testPaddedErrors() {
        let x = tensor([2, 3])
        assertThrows(try x.padded([(1, 1)]), TensorError.paddingCountMismatch(pairs: 1, shape: [2, 3]))
        assertThrows(try x.padded([(0, 0), (0, 0), (0, 0)]), TensorError.paddingCountMismatch(pairs: 3, shape: [2, 3]))
        assertThrows(try x.padded([(0, 0), (-1, 2)]), TensorError.negativePadding(op: "pad", side: "before dimension 1", amount: -1))
        assertThrows(try x.padded([(0, -2), (0, 0)]), TensorError.negativePadding(op: "pad", side: "after dimension 0", amount: -2))
    }

    func testZeroPad2dErrors() {
        assertThrows(try ZeroPad2d(1)(tensor([4, 4])), TensorError.unexpectedShape(op: "ZeroPad2d", [4, 4], expected: "input [N, C, H, W] or [C, H, W]"))
        assertThrows(try ZeroPad2d(left: 0, right: -1, top: 0, bottom: 0)(tensor([1, 1, 2, 2])),
                     TensorError.negativePadding(op: "ZeroPad2d", side: "right", amount: -1))
        XCTAssertEqual("\(TensorError.negativePadding(op: "ZeroPad2d", side: "right", amount: -1))", "ZeroPad2d: padding amounts must be ≥ 0, got right -1")
    }

    func testSlicedErrors() {
        let x = tensor([2, 5])
        assertThrows(try x.sliced(alongAxis: 2, 0..<1), TensorError.axisOutOfRange(op: "slice", axis: 2, shape: [2, 5]))
        assertThrows(try x.sliced(alongAxis: -3, 0..<1), TensorError.axisOutOfRange(op: "slice", axis: -3, shape: [2, 5]))
        assertThrows(try x.sliced(alongAxis: 1, 3..<6), TensorError.sliceOutOfRange(3..<6, axis: 1, shape: [2, 5]))
        assertThrows(try x.sliced(alongAxis: -2, -1..<1), TensorError.sliceOutOfRange(-1..<1, axis: 0, shape: [2, 5]))
        assertThrows(try Tensor(3).sliced(alongAxis: 0, 0..<1), TensorError.axisOutOfRange(op: "slice", axis: 0, shape: []))
        XCTAssertEqual("\(TensorError.sliceOutOfRange(3..<6, axis: 1, shape: [2, 5]))", "slice: range 3..<6 does not fit in 0..<5, the size of axis 1 of shape [2, 5]")
    }
}
