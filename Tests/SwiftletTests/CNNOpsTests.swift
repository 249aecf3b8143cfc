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

    private enum Kind { case invalidArgument, shapeMismatch }

    /// Fails unless `expression` throws `kind` for `op` with a message naming every `mention`.
    private func assertThrows(
        _ expression: @autoclosure () throws -> Tensor, _ kind: Kind, op: String, mentions: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            let thrownOp: String?, thrownKind: Kind?
            switch error as? TensorError {
            case let .invalidArgument(name, _)?: (thrownOp, thrownKind) = (name, .invalidArgument)
            case let .shapeMismatch(name, _, _, _)?: (thrownOp, thrownKind) = (name, .shapeMismatch)
            default: (thrownOp, thrownKind) = (nil, nil)
            }
            XCTAssertEqual(thrownKind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(thrownOp, op, "\(error)", file: file, line: line)
            for mention in mentions {
                XCTAssertTrue("\(error)".contains(mention), "\"\(error)\" does not mention \(mention)", file: file, line: line)
            }
        }
    }

    func testConcatErrors() {
        assertThrows(try concat([]), .invalidArgument, op: "concat", mentions: ["at least one"])
        assertThrows(try concat([tensor([2, 3])], alongAxis: 2), .invalidArgument, op: "concat", mentions: ["axis 2", "[2, 3]"])
        assertThrows(try concat([tensor([2, 3])], alongAxis: -3), .invalidArgument, op: "concat", mentions: ["axis -3"])
        assertThrows(try concat([Tensor(1), Tensor(2)], alongAxis: 0), .invalidArgument, op: "concat", mentions: ["rank 0"])
        assertThrows(try concat([tensor([2, 3]), tensor([2, 3, 1])]), .shapeMismatch, op: "concat",
                     mentions: ["[2, 3]", "[2, 3, 1]", "rank 3"])
        assertThrows(try concat([tensor([2, 3, 4]), tensor([2, 3, 4]), tensor([2, 5, 5])]), .shapeMismatch, op: "concat",
                     mentions: ["[2, 5, 5]", "tensor 2", "dimension 2"])
    }

    func testGlobalAvgPool2dErrors() {
        assertThrows(try globalAvgPool2d(tensor([2, 3, 4])), .invalidArgument, op: "globalAvgPool2d", mentions: ["[2, 3, 4]", "[N, C, H, W]"])
        assertThrows(try globalAvgPool2d(tensor([1, 2, 0, 3])), .invalidArgument, op: "globalAvgPool2d", mentions: ["[1, 2, 0, 3]", "empty"])
        assertThrows(try GlobalAvgPool2d()(tensor([6])), .invalidArgument, op: "globalAvgPool2d", mentions: ["[6]"])
    }

    func testPaddedErrors() {
        let x = tensor([2, 3])
        assertThrows(try x.padded([(1, 1)]), .invalidArgument, op: "pad", mentions: ["got 1", "[2, 3]", "rank 2"])
        assertThrows(try x.padded([(0, 0), (0, 0), (0, 0)]), .invalidArgument, op: "pad", mentions: ["got 3"])
        assertThrows(try x.padded([(0, 0), (-1, 2)]), .invalidArgument, op: "pad", mentions: ["before: -1", "dimension 1"])
        assertThrows(try x.padded([(0, -2), (0, 0)]), .invalidArgument, op: "pad", mentions: ["after: -2", "dimension 0"])
    }

    func testZeroPad2dErrors() {
        assertThrows(try ZeroPad2d(1)(tensor([4, 4])), .invalidArgument, op: "ZeroPad2d", mentions: ["[4, 4]"])
        assertThrows(try ZeroPad2d(left: 0, right: -1, top: 0, bottom: 0)(tensor([1, 1, 2, 2])), .invalidArgument, op: "ZeroPad2d",
                     mentions: ["right -1"])
    }

    func testSlicedErrors() {
        let x = tensor([2, 5])
        assertThrows(try x.sliced(alongAxis: 2, 0..<1), .invalidArgument, op: "slice", mentions: ["axis 2", "[2, 5]"])
        assertThrows(try x.sliced(alongAxis: -3, 0..<1), .invalidArgument, op: "slice", mentions: ["axis -3"])
        assertThrows(try x.sliced(alongAxis: 1, 3..<6), .invalidArgument, op: "slice", mentions: ["3..<6", "0..<5", "[2, 5]"])
        assertThrows(try x.sliced(alongAxis: 0, -1..<1), .invalidArgument, op: "slice", mentions: ["-1..<1", "0..<2"])
        assertThrows(try Tensor(3).sliced(alongAxis: 0, 0..<1), .invalidArgument, op: "slice", mentions: ["rank 0"])
    }
}
