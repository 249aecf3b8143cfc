import Foundation
import ScalarAutograd
import XCTest

/// Every operation of the scalar engine against central finite differences in Double.
final class ValueTests: XCTestCase {
    /// f's gradient with respect to each input from `backward()` against
    /// (f(x + h) − f(x − h)) / 2h, whose error shrinks as h².
    private func assertDerivatives(at point: [Double], file: StaticString = #filePath, line: UInt = #line,
                                   _ f: ([Value]) -> Value) {
        let inputs = point.map { Value($0) }
        f(inputs).backward()
        let h = 1e-5
        for i in point.indices {
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            let numeric = (f(plus.map { Value($0) }).data - f(minus.map { Value($0) }).data) / (2 * h)
            XCTAssertEqual(inputs[i].grad, numeric, accuracy: 1e-6 * max(1, abs(numeric)),
                           "input \(i): backward gives \(inputs[i].grad), central difference \(numeric)", file: file, line: line)
        }
    }

    func testAddAndMultiply() {
        assertDerivatives(at: [1.5, -2.0, 0.7]) { v in v[0] * v[1] + v[2] * v[0] }
    }

    func testPow() {
        assertDerivatives(at: [1.3]) { v in v[0].pow(3) }
        assertDerivatives(at: [0.8]) { v in v[0].pow(-1.5) }
    }

    func testRelu() {
        assertDerivatives(at: [0.9, -0.4]) { v in v[0].relu() + v[1].relu() * 3 }
    }

    func testExpLogTanh() {
        assertDerivatives(at: [0.6]) { v in v[0].exp() }
        assertDerivatives(at: [2.5]) { v in v[0].log() }
        assertDerivatives(at: [-0.3]) { v in v[0].tanh() }
    }

    func testDerivedOperations() {
        assertDerivatives(at: [2.0, -0.5]) { v in (v[0] - v[1]) / v[1] + -v[0] }
    }

    /// A value used by several operations receives the sum of their shares: micrograd's
    /// oldest bug was overwriting instead of adding.
    func testReusedValuesAccumulate() {
        assertDerivatives(at: [-4.0, 2.0]) { v in
            let a = v[0], b = v[1]
            var c = a + b
            var d = a * b + b.pow(3)
            c = c + c + 1
            c = c + 1 + c + -a
            d = d + d * 2 + (b + a).relu()
            d = d + 3 * d + (b - a).relu()
            let e = c - d
            let f = e.pow(2)
            var g = f / 2.0
            g = g + 10.0 / f
            return g
        }
    }

    func testTopologicalOrderPutsInputsFirst() {
        let a = Value(2), b = Value(3)
        let c = a * b
        let d = c + a
        let order = d.topologicalOrder()
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { (ObjectIdentifier($1), $0) })
        XCTAssertEqual(order.count, 4)
        XCTAssertEqual(order.last.map(ObjectIdentifier.init), ObjectIdentifier(d))
        for value in order {
            for input in value.inputs {
                XCTAssertLessThan(position[ObjectIdentifier(input)]!, position[ObjectIdentifier(value)]!)
            }
        }
    }
}
