import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Proves an operation's backward against central finite differences.
///
/// For output y = f(inputs) and a fixed random r, the scalar L = Σ y·r has
/// ∂L/∂x_i ≈ (L(x_i + ε) − L(x_i − ε)) / 2ε. Autograd computes the same derivative by
/// seeding backward with r; the two must agree for every element of every input.
/// Losses are accumulated in Double so that only the Float32 forward rounds.
func checkGradients(
    _ inputs: [Tensor], epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 2e-3,
    file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) throws -> Tensor
) throws {
    for input in inputs { input.requiresGrad = true; input.zeroGrad() }
    let output = try f(inputs)
    var generator = SeededRandom(seed: 99)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator)
    try output.backward(weights)

    func weightedSum() throws -> Double {
        let y = try withNoGrad { try f(inputs) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (number, input) in inputs.enumerated() {
        let analytic = try XCTUnwrap(input.grad, "input \(number) received no gradient", file: file, line: line)
        for i in 0..<input.count {
            let original = input.scalars[i]
            input.scalars[i] = original + epsilon
            let plus = try weightedSum()
            input.scalars[i] = original - epsilon
            let minus = try weightedSum()
            input.scalars[i] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let received = Double(analytic.scalars[i])
            if abs(received - numeric) > atol + rtol * abs(numeric) {
                XCTFail("input \(number) element \(i): received derivative \(received) but central difference gives \(numeric)",
                        file: file, line: line)
                return
            }
        }
    }
}

/// A tensor of uniform values in [-1, 1) whose elements are at least `gap` apart in
/// magnitude from zero and from each other, so kinks (relu, max) are never crossed by ε.
func spreadTensor(_ shape: [Int], seed: UInt64, gap: Float = 0.03) -> Tensor {
    var generator = SeededRandom(seed: seed)
    let count = shape.reduce(1, *)
    // Evenly spaced levels, shuffled: distinct by construction.
    var levels = (0..<count).map { i in -1 + (Float(i) + 0.5) * 2 / Float(count) }
    levels.shuffle(using: &generator)
    let values = levels.map { $0 + ($0 < 0 ? -gap : gap) }
    return Tensor(shape: shape, scalars: values)
}
