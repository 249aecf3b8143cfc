import Foundation
import SwiftletKernels

// Element-wise functions y = f(x). Each backward multiplies the incoming gradient by f′(x),
// written in terms of whichever of x or y is cheaper:
//   relu:    f′ = 1 if x > 0 else 0
//   sigmoid: f′ = y · (1 − y)
//   tanh:    f′ = 1 − y²
//   exp:     f′ = y
//   log:     f′ = 1 / x

extension Tensor {
    /// max(x, 0), elementwise; the gradient passes where x > 0.
    public func relu() -> Tensor {
        let x = self
        let values = [Float].filled(count: count) { y in
            x.scalars.withUnsafeBufferPointer { input in
                elementwiseInParallel(input.count) { range in
                    reluForward(count: range.count, input: input.baseAddress! + range.lowerBound, output: y + range.lowerBound)
                }
            }
        }
        return Tensor.result(of: .relu, shape: shape, scalars: values, inputs: [x]) { g in
            precondition(g.count == x.count, "relu backward: \(g.count) gradient values for \(x.count) inputs")
            return [Tensor(shape: x.shape, scalars: reluGradient(g.scalars, input: x.scalars))]
        }
    }

    /// 1 / (1 + e^−x), elementwise.
    public func sigmoid() -> Tensor {
        let y = scalars.mapScalars { 1 / (1 + Foundation.exp(-$0)) }
        return Tensor.result(of: .sigmoid, shape: shape, scalars: y, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.zipScalars(y) { $0 * $1 * (1 - $1) })]
        }
    }

    /// tanh x, elementwise.
    public func tanh() -> Tensor {
        let y = scalars.mapScalars { Foundation.tanh($0) }
        return Tensor.result(of: .tanh, shape: shape, scalars: y, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.zipScalars(y) { $0 * (1 - $1 * $1) })]
        }
    }

    /// eˣ, elementwise.
    public func exp() -> Tensor {
        let y = scalars.mapScalars { Foundation.exp($0) }
        return Tensor.result(of: .exp, shape: shape, scalars: y, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.zipScalars(y, *))]
        }
    }

    /// The natural logarithm, elementwise; −∞ at 0 and NaN below, as in PyTorch.
    public func log() -> Tensor {
        let x = self
        return Tensor.result(of: .log, shape: shape, scalars: scalars.mapScalars { Foundation.log($0) }, inputs: [x]) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.zipScalars(x.scalars, /))]
        }
    }
}

/// ReLU's input gradient: `gradOutput` where `input` is positive, 0 elsewhere. The ReLU's
/// output can stand in for its input, as it is positive exactly where the input is.
func reluGradient(_ gradOutput: [Float], input: [Float]) -> [Float] {
    [Float].filled(count: input.count) { gradInput in
        withPointers(gradOutput, input, nil) { gradOutputValues, inputValues, _ in
            elementwiseInParallel(input.count) { range in
                let start = range.lowerBound
                reluBackward(count: range.count, gradOutput: gradOutputValues + start, input: inputValues + start,
                             gradInput: gradInput + start)
            }
        }
    }
}
