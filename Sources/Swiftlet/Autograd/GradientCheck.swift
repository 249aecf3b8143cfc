import SwiftletKernels

// ANCHOR: check
/// Proves an operation's backward against central finite differences: throws
/// `GradientCheckError` unless they agree for every element of every input.
///
/// For output y = f(inputs) and a fixed random r, the scalar L = Σ y·r has
/// ∂L/∂x_i ≈ (L(x_i + ε) − L(x_i − ε)) / 2ε, with an error that shrinks as ε². Autograd
/// computes the same derivative by seeding backward with r. Losses are summed in Double so
/// that only the Float forward pass rounds, hence tolerances near 1e-2 rather than 1e-6.
/// Inputs from `spreadTensor` keep ε from crossing a kink (relu at 0, the winner of a max).
///
///     try checkGradients([spreadTensor([3, 4], seed: 1)]) { try $0[0].logSoftmax(alongAxis: 1) }
public func checkGradients(
    _ inputs: [Tensor], epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 2e-3, seed: UInt64 = 99,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    for input in inputs { input.requiresGrad = true; input.zeroGrad() }
    let output = try f(inputs)
    var generator = SeededRandom(seed: seed)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator)
    try output.backward(weights)

    func weightedSum() throws -> Double {
        let y = try withNoGrad { try f(inputs) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (number, input) in inputs.enumerated() {
        guard let analytic = input.grad else { throw GradientCheckError.noGradient(input: number) }
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
                throw GradientCheckError.mismatch(input: number, element: i, received: received, expected: numeric)
            }
        }
    }
}
// ANCHOR_END: check

/// What `checkGradients` found wrong.
public enum GradientCheckError: Error, Equatable, CustomStringConvertible {
    /// Input `input` received no gradient at all: its backward returned nil, or it is not connected.
    case noGradient(input: Int)
    /// Backward gave `received` for element `element` of input `input`; central differences give `expected`.
    case mismatch(input: Int, element: Int, received: Double, expected: Double)

    public var description: String {
        switch self {
        case let .noGradient(input):
            return "input \(input) received no gradient: does backward return one for it?"
        case let .mismatch(input, element, received, expected):
            return "input \(input) element \(element): received derivative \(received) but was expecting \(expected) from central difference"
        }
    }
}

/// A tensor of uniform values in [-1, 1) whose elements are at least `gap` apart in
/// magnitude from zero and from each other, so kinks (relu, max) are never crossed by ε.
public func spreadTensor(_ shape: [Int], seed: UInt64, gap: Float = 0.03) -> Tensor {
    var generator = SeededRandom(seed: seed)
    let count = shape.reduce(1, *)
    // Evenly spaced levels, shuffled: distinct by construction.
    var levels = (0..<count).map { i in -1 + (Float(i) + 0.5) * 2 / Float(count) }
    levels.shuffle(using: &generator)
    let values = levels.map { $0 + ($0 < 0 ? -gap : gap) }
    return Tensor(shape: shape, scalars: values)
}
