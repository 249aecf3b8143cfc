import XCTest
@testable import SwiftletKernels

final class ReLUTests: XCTestCase {
    /// Random values with the awkward ones mixed in (NaN, ±0, ±infinity, tiny negatives).
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var x = randomValues(count, seed: seed)
        let special: [Float] = [.nan, -0.0, 0, .infinity, -.infinity, -.leastNonzeroMagnitude]
        for (i, value) in special.enumerated() where i * 3 < count { x[i * 3] = value }
        return x
    }

    /// Vector lanes and the scalar tail (counts off the 8-lane width) give `Swift.max(x, 0)`, bit for bit.
    func testForwardIsMaxWithZeroOnRaggedCounts() {
        for count in [1, 7, 8, 9, 23, 64, 67] {
            let x = values(count, seed: UInt64(count))
            var y = [Float](repeating: 42, count: count)
            reluForward(count: count, input: x, output: &y)
            XCTAssertEqual(y.map(\.bitPattern), x.map { max($0, 0).bitPattern }, "count \(count)")
        }
    }

    func testForwardInPlace() {
        var x = values(19, seed: 5)
        let expected = x.map { max($0, 0).bitPattern }
        x.withUnsafeMutableBufferPointer { reluForward(count: 19, input: $0.baseAddress!, output: $0.baseAddress!) }
        XCTAssertEqual(x.map(\.bitPattern), expected)
    }

    /// The gradient passes exactly where the input is greater than zero (not at 0, −0 or NaN).
    func testBackwardPassesWhereInputIsPositiveOnRaggedCounts() {
        for count in [1, 7, 8, 9, 23, 64, 67] {
            let x = values(count, seed: UInt64(100 + count)), g = randomValues(count, seed: UInt64(200 + count))
            var gradInput = [Float](repeating: 42, count: count)
            reluBackward(count: count, gradOutput: g, input: x, gradInput: &gradInput)
            XCTAssertEqual(gradInput.map(\.bitPattern), zip(g, x).map { ($1 > 0 ? $0 : 0).bitPattern }, "count \(count)")
        }
    }
}
