import Foundation

// Softmax and log-softmax along one axis, stable for large inputs: subtracting the row
// maximum first keeps every exp() argument ≤ 0, so nothing overflows.
//   log-softmax: y = x − max − log Σ exp(x − max);  ∂L/∂x = g − softmax(x) · Σ g
//   softmax:     y = exp(log-softmax(x));           ∂L/∂x = y · (g − Σ g·y)

extension Tensor {
    /// log(softmax(x)) along `axis` (the last by default), computed stably; what cross-entropy is built on.
    // ANCHOR: log-softmax
    public func logSoftmax(alongAxis axis: Int = -1) throws -> Tensor {
        let rows = try softmaxRows(axis)
        let y = Tensor.logSoftmax(scalars, rows)
        return Tensor.result(of: .logSoftmax(axis: try normalizedAxis(axis, op: "logSoftmax")), shape: shape, scalars: y, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: Tensor.alongRows(rows, g.scalars, y) { g, y, n, stride, out in
                var total: Float = 0
                for j in 0..<n { total += g[j * stride] }
                for j in 0..<n { out[j * stride] = g[j * stride] - Foundation.exp(y[j * stride]) * total }
            })]
        }
    }
    // ANCHOR_END: log-softmax

    /// exp(x) / Σ exp(x) along `axis` (the last by default), computed stably.
    public func softmax(alongAxis axis: Int = -1) throws -> Tensor {
        let rows = try softmaxRows(axis)
        let y = Tensor.logSoftmax(scalars, rows).mapScalars { Foundation.exp($0) }
        return Tensor.result(of: .softmax(axis: try normalizedAxis(axis, op: "softmax")), shape: shape, scalars: y, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: Tensor.alongRows(rows, g.scalars, y) { g, y, n, stride, out in
                var dot: Float = 0
                for j in 0..<n { dot += g[j * stride] * y[j * stride] }
                for j in 0..<n { out[j * stride] = y[j * stride] * (g[j * stride] - dot) }
            })]
        }
    }

    /// The tensor seen as `outer × n × inner`, with the softmax axis in the middle.
    struct SoftmaxRows { let outer, n, inner: Int }

    func softmaxRows(_ axis: Int) throws -> SoftmaxRows {
        let a = try normalizedAxis(axis, op: "softmax")
        return SoftmaxRows(outer: shape[..<a].reduce(1, *), n: shape[a], inner: shape[(a + 1)...].reduce(1, *))
    }

    static func logSoftmax(_ x: [Float], _ rows: SoftmaxRows) -> [Float] {
        alongRows(rows, x, x) { x, _, n, stride, out in
            var maximum = -Float.infinity
            for j in 0..<n { maximum = max(maximum, x[j * stride]) }
            var total: Float = 0
            for j in 0..<n { total += Foundation.exp(x[j * stride] - maximum) }
            // (x − max) − log Σ, not x − (max + log Σ): the latter loses the small term.
            let logTotal = Foundation.log(total)
            for j in 0..<n { out[j * stride] = (x[j * stride] - maximum) - logTotal }
        }
    }

    /// Runs `body(first, second, n, stride, out)` for each row of the softmax axis, with all
    /// three pointers at that row's first element and `stride` between its elements.
    static func alongRows(
        _ rows: SoftmaxRows, _ first: [Float], _ second: [Float],
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>) -> Void
    ) -> [Float] {
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                [Float].filled(count: first.count) { out in
                    for o in 0..<rows.outer {
                        for i in 0..<rows.inner {
                            let start = o * rows.n * rows.inner + i
                            body(a.baseAddress! + start, b.baseAddress! + start, rows.n, rows.inner, out + start)
                        }
                    }
                }
            }
        }
    }
}
