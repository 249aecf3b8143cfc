import ExerciseSolutions
import XCTest

/// The solutions pass every exercise's checks: what CI runs.
final class SolutionTests: XCTestCase {
    func testPow() throws { try Exercise.pow.check(Solutions.self) }
    func testSin() throws { try Exercise.sin.check(Solutions.self) }
    func testLeakyReLU() throws { try Exercise.leakyReLU.check(Solutions.self) }
    func testLogSoftmax() throws { try Exercise.logSoftmax.check(Solutions.self) }
    func testAvgPool() throws { try Exercise.avgPool.check(Solutions.self) }
    func testL2Norm() throws { try Exercise.l2Norm.check(Solutions.self) }
    func testScalarMLP() throws { try Exercise.scalarMLP.check(Solutions.self) }
}
