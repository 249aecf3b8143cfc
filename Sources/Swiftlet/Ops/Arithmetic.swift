// Element-wise add, subtract, multiply and divide, with broadcasting.
//
// Derivatives (for y = a ∘ b, gradients then summed back to each operand's shape):
//   add: ∂y/∂a = 1,   ∂y/∂b = 1
//   sub: ∂y/∂a = 1,   ∂y/∂b = −1
//   mul: ∂y/∂a = b,   ∂y/∂b = a
//   div: ∂y/∂a = 1/b, ∂y/∂b = −a/b²

extension Tensor {
    /// Elementwise sum, broadcasting the shapes as NumPy does; throws when they do not broadcast.
    // ANCHOR: add
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try binary(.add, lhs, rhs, savesInputs: false, +, sameShape: { $0.adding($1) }) { g, a, b, out in
            (Broadcasting.reduce(g.scalars, from: out, to: a.shape),
             Broadcasting.reduce(g.scalars, from: out, to: b.shape))
        }
    }
    // ANCHOR_END: add

    /// Elementwise difference, broadcasting; throws when the shapes do not broadcast.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try binary(.sub, lhs, rhs, savesInputs: false, -) { g, a, b, out in
            (Broadcasting.reduce(g.scalars, from: out, to: a.shape),
             Broadcasting.reduce(g.scalars.mapScalars { -$0 }, from: out, to: b.shape))
        }
    }

    /// Elementwise product, broadcasting; throws when the shapes do not broadcast.
    // ANCHOR: mul
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try binary(.mul, lhs, rhs, savesInputs: true, *) { g, a, b, out in
            (Broadcasting.reduce(zipBroadcast(g.scalars, out, b.scalars, b.shape, out, *), from: out, to: a.shape),
             Broadcasting.reduce(zipBroadcast(g.scalars, out, a.scalars, a.shape, out, *), from: out, to: b.shape))
        }
    }
    // ANCHOR_END: mul

    /// Elementwise quotient, broadcasting; throws when the shapes do not broadcast.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try binary(.div, lhs, rhs, savesInputs: true, /) { g, a, b, out in
            let gOverB = zipBroadcast(g.scalars, out, b.scalars, b.shape, out, /)
            let quotient = zipBroadcast(a.scalars, a.shape, b.scalars, b.shape, out, /)
            return (Broadcasting.reduce(gOverB, from: out, to: a.shape),
                    Broadcasting.reduce(gOverB.zipScalars(quotient) { -$0 * $1 }, from: out, to: b.shape))
        }
    }

    /// Adds a constant to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1, shift: rhs) }
    /// Subtracts a constant from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1, shift: -rhs) }
    /// Multiplies every element by a constant.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: rhs, shift: 0) }
    /// Divides every element by a constant.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.affine(scale: 1 / rhs, shift: 0) }
    /// Multiplies every element by a constant.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.affine(scale: lhs, shift: 0) }
    /// Negates every element.
    public static prefix func - (x: Tensor) -> Tensor { x.affine(scale: -1, shift: 0) }

    /// `scale · self + shift`; the derivative is `scale`.
    public func affine(scale: Float, shift: Float) -> Tensor {
        Tensor.result(of: .affine(scale: scale, shift: shift), shape: shape, scalars: scalars.mapScalars { scale * $0 + shift }, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.mapScalars { scale * $0 })]
        }
    }

    /// Shared shape of the four broadcasting operators: forward through `f`, backward
    /// through `gradients(gradOutput, a, b, outShape)`, which reads the operands' values
    /// only if `savesInputs`. `sameShape`, where given, computes operands of equal shapes in
    /// a loop of its own: `f` is called through a closure per element, which made a ResNet's
    /// residual adds cost 8 % of its training step.
    private static func binary(
        _ op: GraphOp, _ a: Tensor, _ b: Tensor, savesInputs: Bool, _ f: @escaping (Float, Float) -> Float,
        sameShape: (([Float], [Float]) -> [Float])? = nil,
        gradients: @escaping (Tensor, Tensor, Tensor, [Int]) -> ([Float], [Float])
    ) throws -> Tensor {
        let out = try Broadcasting.shape(a.shape, b.shape, op: op.name)
        let values = if let sameShape, a.shape == b.shape { sameShape(a.scalars, b.scalars) }
            else { zipBroadcast(a.scalars, a.shape, b.scalars, b.shape, out, f) }
        return result(of: op, shape: out, scalars: values, inputs: [a, b], savesInputs: savesInputs) { g in
            let (ga, gb) = gradients(g, a, b, out)
            return [Tensor(shape: a.shape, scalars: ga), Tensor(shape: b.shape, scalars: gb)]
        }
    }
}

/// `f(a, b)` element-wise after broadcasting both operands to `out`.
@inline(__always)
func zipBroadcast(
    _ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], _ out: [Int], _ f: (Float, Float) -> Float
) -> [Float] {
    if aShape == out && bShape == out { return a.zipScalars(b, f) }
    if b.count == 1 { let s = b[0]; return a.count == out.elementCount ? a.mapScalars { f($0, s) } : general() }
    if a.count == 1 { let s = a[0]; return b.count == out.elementCount ? b.mapScalars { f(s, $0) } : general() }
    return general()

    func general() -> [Float] {
        let sa = Broadcasting.strides(of: aShape, in: out), sb = Broadcasting.strides(of: bShape, in: out)
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                [Float].filled(count: out.elementCount) { r in
                    Broadcasting.forEach(out, sa, sb) { i, ia, ib in r[i] = f(x[ia], y[ib]) }
                }
            }
        }
    }
}
