// ANCHOR: custom
extension Tensor {
    /// An operation of your own, differentiable like Swiftlet's: you compute the output's
    /// `scalars` (forward) and give `backward`, which receives ∂L/∂output and returns
    /// ∂L/∂input for each of `inputs`, in order (`nil` where an input needs none).
    ///
    ///     func square(_ x: Tensor) throws -> Tensor {
    ///         try Tensor.custom("square", inputs: [x], shape: x.shape, scalars: x.scalars.map { $0 * $0 }) { g in
    ///             [try g * x * 2]   // d(x²)/dx = 2x
    ///         }
    ///     }
    ///
    /// `backward` runs without recording (its tensor ops build no graph), and `backward()`
    /// throws if an input it reads was changed in place after this call, or if it returns
    /// the wrong number or shapes of gradients. A traced model graph keeps the op by `name`
    /// (`GraphOp.other`), so passes that cannot handle it, such as ONNX export, name it in
    /// their error. Check the derivative with `checkGradients`.
    public static func custom(
        _ name: String, inputs: [Tensor], shape: [Int], scalars: [Float],
        backward: @escaping (_ gradOutput: Tensor) throws -> [Tensor?]
    ) throws -> Tensor {
        guard !name.isEmpty else { throw TensorError.invalidArgument(op: "Tensor.custom", "the operation needs a name") }
        guard shape.allSatisfy({ $0 >= 0 }), scalars.count == shape.elementCount else {
            throw TensorError.invalidShape(shape, "\(name) computed \(scalars.count) scalars for an output of \(shape.elementCount)")
        }
        return result(of: .other(name), shape: shape, scalars: scalars, inputs: inputs, backward: backward)
    }
}
// ANCHOR_END: custom
