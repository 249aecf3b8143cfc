import SwiftletKernels

// Matrix products. For C = A·B the chain rule gives
//   ∂L/∂A = ∂L/∂C · Bᵀ    and    ∂L/∂B = Aᵀ · ∂L/∂C,
// both computed by the same GEMM kernel with transposed operands.

extension Tensor {
    /// Matrix product over the last two axes. `self` is [..., m, k]; `other` is [k, n]
    /// (shared by every leading index) or [..., k, n] with the same leading axes.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError.shapeMismatch(op: "matmul", a.shape, b.shape, "both operands need at least 2 dimensions")
        }
        let k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        guard b.shape[b.rank - 2] == k else {
            throw TensorError.shapeMismatch(op: "matmul", a.shape, b.shape, "inner dimensions \(k) and \(b.shape[b.rank - 2]) differ")
        }
        let shared = b.rank == 2
        guard shared || Array(a.shape.dropLast(2)) == Array(b.shape.dropLast(2)) else {
            throw TensorError.shapeMismatch(op: "matmul", a.shape, b.shape, "leading (batch) dimensions must be equal")
        }
        // A shared right operand folds all leading axes of `a` into the rows of one product.
        let batches = shared ? 1 : a.count / max(a.shape[a.rank - 2] * k, 1)
        let m = shared ? a.count / max(k, 1) : a.shape[a.rank - 2]
        let outShape = Array(a.shape.dropLast()) + [n]
        let values = [Float].filled(count: outShape.elementCount) { c in
            for i in 0..<batches {
                gemm(false, false, m, n, k, a.scalars, i * m * k, k, b.scalars, i * k * n, n, c + i * m * n, n, beta: 0)
            }
        }
        // ANCHOR: matmul-backward
        return Tensor.result(of: .matmul, shape: outShape, scalars: values, inputs: [a, b]) { g in
            var gradA: Tensor?, gradB: Tensor?
            if a.requiresGrad {
                gradA = Tensor(shape: a.shape, scalars: .filled(count: a.count) { ga in
                    for i in 0..<batches {  // ∂A = G · Bᵀ
                        gemm(false, true, m, k, n, g.scalars, i * m * n, n, b.scalars, i * k * n, n, ga + i * m * k, k, beta: 0)
                    }
                })
            }
            if b.requiresGrad {
                gradB = Tensor(shape: b.shape, scalars: .filled(count: b.count) { gb in
                    for i in 0..<batches {  // ∂B = Aᵀ · G
                        gemm(true, false, k, n, m, a.scalars, i * m * k, k, g.scalars, i * m * n, n, gb + i * k * n, n, beta: 0)
                    }
                })
            }
            return [gradA, gradB]
        }
        // ANCHOR_END: matmul-backward
    }

    /// A fully connected layer's product: `self` [N, in] · weightᵀ [in, out] + bias [out].
    public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
        try linear(weight: weight, bias: bias, applyingReLU: false)
    }

    /// `linear`, followed by ReLU while the output is in cache when `applyingReLU`: then the
    /// result is a plain tensor, recorded neither for autograd nor in a traced graph, so only
    /// for inference that records nothing (`InferenceFusion`). `packedWeight`, if given, is
    /// `weight` packed as sgemm's op(B) = Wᵀ.
    func linear(weight: Tensor, bias: Tensor?, applyingReLU: Bool, packedWeight: GEMMPackedOperand? = nil) throws -> Tensor {
        let x = self
        guard x.rank == 2, weight.rank == 2, x.shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: "linear", x.shape, weight.shape,
                                            "expected input [N, \(weight.shape.last ?? 0)] for weight [out, in]")
        }
        let batch = x.shape[0], inFeatures = x.shape[1], outFeatures = weight.shape[0]
        if let bias, bias.shape != [outFeatures] {
            throw TensorError.shapeMismatch(op: "linear", weight.shape, bias.shape, "bias must have shape [\(outFeatures)]")
        }
        let values = [Float].filled(count: batch * outFeatures) { y in
            withBiasPointer(bias) { b in
                let epilogue = GEMMEpilogue(columnBias: b, relu: applyingReLU)
                if let packedWeight, inFeatures > 0 {
                    x.scalars.withUnsafeBufferPointer { xs in
                        sgemm(transA: false, m: batch, alpha: 1, a: xs.baseAddress!, lda: inFeatures, b: packedWeight, beta: 0,
                              c: y, ldc: outFeatures, epilogue: epilogue)
                    }
                } else {
                    gemm(false, true, batch, outFeatures, inFeatures, x.scalars, 0, inFeatures, weight.scalars, 0, inFeatures,
                         y, outFeatures, beta: 0, epilogue: epilogue)
                }
            }
        }
        if applyingReLU { return Tensor(shape: [batch, outFeatures], scalars: values) }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Tensor.result(of: .linear, shape: [batch, outFeatures], scalars: values, inputs: inputs) { g in
            var grads: [Tensor?] = [nil, nil, nil]
            if x.requiresGrad {  // ∂x = G · W
                grads[0] = Tensor(shape: x.shape, scalars: .filled(count: x.count) { gx in
                    gemm(false, false, batch, inFeatures, outFeatures, g.scalars, 0, outFeatures, weight.scalars, 0, inFeatures,
                         gx, inFeatures, beta: 0)
                })
            }
            if weight.requiresGrad {  // ∂W = Gᵀ · x
                grads[1] = Tensor(shape: weight.shape, scalars: .filled(count: weight.count) { gw in
                    gemm(true, false, outFeatures, inFeatures, batch, g.scalars, 0, outFeatures, x.scalars, 0, inFeatures,
                         gw, inFeatures, beta: 0)
                })
            }
            if let bias, bias.requiresGrad {  // ∂b = Σ over the batch of G
                grads[2] = Tensor(shape: bias.shape, scalars: Broadcasting.reduce(g.scalars, from: g.shape, to: [1, outFeatures]))
            }
            return Array(grads.prefix(inputs.count))
        }
    }
}

/// `sgemm` on arrays with element offsets, so call sites stay on one line.
@inline(__always)
func gemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
    _ a: [Float], _ offsetA: Int, _ lda: Int, _ b: [Float], _ offsetB: Int, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, beta: Float, epilogue: GEMMEpilogue = GEMMEpilogue()
) {
    guard m > 0, n > 0 else { return }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            // An empty A or B (k = 0) has no address; sgemm then reads neither and sets C = beta · C.
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress.map { $0 + offsetA } ?? UnsafePointer(c),
                  lda: lda, b: pb.baseAddress.map { $0 + offsetB } ?? UnsafePointer(c), ldb: ldb, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
        }
    }
}

/// Runs `body` with a pointer to `bias`'s values, or nil without a bias.
private func withBiasPointer<R>(_ bias: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let bias else { return body(nil) }
    return bias.scalars.withUnsafeBufferPointer { body($0.baseAddress) }
}
