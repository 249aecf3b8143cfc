import Exercises
import Foundation
import ScalarAutograd
import Swiftlet

/// One answer to each exercise, checked by CI with the same tests your answers face.
/// Read them after trying: docs/autograd/10-exercises.md derives each backward.
public enum Solutions: AutogradExercises {
    // ANCHOR: pow
    public static func pow(_ x: Tensor, _ exponent: Float) throws -> Tensor {
        try Tensor.custom("pow", inputs: [x], shape: x.shape, scalars: x.scalars.map { Foundation.pow($0, exponent) }) { g in
            // d(xᵏ)/dx = k·xᵏ⁻¹
            [Tensor(shape: x.shape, scalars: zip(g.scalars, x.scalars).map { $0 * exponent * Foundation.pow($1, exponent - 1) })]
        }
    }
    // ANCHOR_END: pow

    public static func sin(_ x: Tensor) throws -> Tensor {
        try Tensor.custom("sin", inputs: [x], shape: x.shape, scalars: x.scalars.map { Foundation.sin($0) }) { g in
            [Tensor(shape: x.shape, scalars: zip(g.scalars, x.scalars).map { $0 * Foundation.cos($1) })]
        }
    }

    public static func leakyReLU(_ x: Tensor, negativeSlope: Float) throws -> Tensor {
        let slope = { (value: Float) -> Float in value > 0 ? 1 : negativeSlope }
        return try Tensor.custom("leakyReLU", inputs: [x], shape: x.shape, scalars: x.scalars.map { $0 * slope($0) }) { g in
            [Tensor(shape: x.shape, scalars: zip(g.scalars, x.scalars).map { $0 * slope($1) })]
        }
    }

    // ANCHOR: log-softmax
    public static func logSoftmax(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else { throw TensorError.unexpectedShape(op: "logSoftmax", x.shape, expected: "[N, C]") }
        let (rows, columns) = (x.shape[0], x.shape[1])
        var y = x.scalars
        for n in 0..<rows {
            let row = n * columns..<(n + 1) * columns
            // y_j = x_j − m − log Σ_k exp(x_k − m), with m the row's maximum: no exp overflows.
            let maximum = x.scalars[row].max() ?? 0
            let logTotal = Foundation.log(x.scalars[row].reduce(0) { $0 + Foundation.exp($1 - maximum) })
            for j in row { y[j] = x.scalars[j] - maximum - logTotal }
        }
        return try Tensor.custom("logSoftmax", inputs: [x], shape: x.shape, scalars: y) { g in
            // ∂L/∂x_j = g_j − softmax_j · Σ_k g_k, with softmax_j = exp(y_j).
            var gradient = g.scalars
            for n in 0..<rows {
                let row = n * columns..<(n + 1) * columns
                let total = g.scalars[row].reduce(0, +)
                for j in row { gradient[j] = g.scalars[j] - Foundation.exp(y[j]) * total }
            }
            return [Tensor(shape: x.shape, scalars: gradient)]
        }
    }
    // ANCHOR_END: log-softmax

    // ANCHOR: avg-pool
    public static func avgPool2d(_ x: Tensor, window k: Int) throws -> Tensor {
        guard x.rank == 4, k > 0, x.shape[2] % k == 0, x.shape[3] % k == 0 else {
            throw TensorError.unexpectedShape(op: "avgPool2d", x.shape, expected: "[N, C, H, W] with H and W multiples of \(k)")
        }
        let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (outHeight, outWidth) = (height / k, width / k)
        // Every input pixel lies in exactly one window: `body(input index, its window's output index)`.
        func forEachPixel(_ body: (_ input: Int, _ output: Int) -> Void) {
            for plane in 0..<planes {
                for h in 0..<height {
                    for w in 0..<width {
                        body(plane * height * width + h * width + w, plane * outHeight * outWidth + (h / k) * outWidth + w / k)
                    }
                }
            }
        }
        let scale = 1 / Float(k * k)  // each pixel's weight in its window's mean
        var y = [Float](repeating: 0, count: planes * outHeight * outWidth)
        forEachPixel { input, output in y[output] += scale * x.scalars[input] }
        return try Tensor.custom("avgPool2d", inputs: [x], shape: [x.shape[0], x.shape[1], outHeight, outWidth], scalars: y) { g in
            // ∂L/∂x[h, w] = g[h / k, w / k] / k²
            var gradient = [Float](repeating: 0, count: x.count)
            forEachPixel { input, output in gradient[input] = scale * g.scalars[output] }
            return [Tensor(shape: x.shape, scalars: gradient)]
        }
    }
    // ANCHOR_END: avg-pool

    // ANCHOR: l2-norm
    public static func l2Normalize(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else { throw TensorError.unexpectedShape(op: "l2Normalize", x.shape, expected: "[N, D]") }
        let (rows, columns) = (x.shape[0], x.shape[1])
        let norms = (0..<rows).map { n in
            x.scalars[n * columns..<(n + 1) * columns].reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        let y = x.scalars.indices.map { x.scalars[$0] / norms[$0 / columns] }
        return try Tensor.custom("l2Normalize", inputs: [x], shape: x.shape, scalars: y) { g in
            // ∂y_i/∂x_j = (δ_ij − y_i·y_j)/‖x‖, so ∂L/∂x_j = (g_j − y_j·Σ_i g_i·y_i)/‖x‖.
            var gradient = g.scalars
            for n in 0..<rows {
                let row = n * columns..<(n + 1) * columns
                let dot = row.reduce(Float(0)) { $0 + g.scalars[$1] * y[$1] }
                for j in row { gradient[j] = (g.scalars[j] - y[j] * dot) / norms[n] }
            }
            return [Tensor(shape: x.shape, scalars: gradient)]
        }
    }
    // ANCHOR_END: l2-norm

    // ANCHOR: logistic
    public static func logisticLoss(scores: [Value], labels: [Double]) throws -> Value {
        let total = zip(scores, labels).reduce(Value(0)) { sum, pair in
            sum + (1 + (Value(-pair.1) * pair.0).exp()).log()
        }
        return total * Value(1 / Double(scores.count))
    }
    // ANCHOR_END: logistic
}
