/// One recorded operation in the graph: the tensors that went in, and how to turn the
/// gradient of the output into gradients of those inputs.
///
/// This is the chain rule, one operation at a time: if `y = f(a, b)` then
/// ∂L/∂a = ∂L/∂y · ∂y/∂a. Each operation supplies `backward`, which receives ∂L/∂y
/// and returns ∂L/∂a, ∂L/∂b (in the order of `inputs`; `nil` for an input that needs none).
public final class GradientNode {
    /// The operation's name, for error messages and graph printing ("conv2d", "add", …).
    public let operation: String
    /// The operands, kept alive so their gradients can be computed later.
    let inputs: [Tensor]
    let backward: (_ gradOutput: Tensor) -> [Tensor?]

    init(operation: String, inputs: [Tensor], backward: @escaping (_ gradOutput: Tensor) -> [Tensor?]) {
        self.operation = operation
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Builds the result of an operation and, when gradients are being recorded and any
    /// input needs one, attaches the node that knows how to differentiate it. When a model
    /// graph is being traced, the operation is recorded there too, with `operands` (by
    /// default the inputs) in the order `GraphOp` documents.
    ///
    /// Every differentiable operation in Swiftlet ends with a call to this function.
    static func result(
        of operation: GraphOp, shape: [Int], scalars: [Float], inputs: [Tensor], operands: (() -> [Tensor])? = nil,
        backward: @escaping (_ gradOutput: Tensor) -> [Tensor?]
    ) -> Tensor {
        let output = Tensor(shape: shape, scalars: scalars)
        if GradMode.isEnabled && inputs.contains(where: \.requiresGrad) {
            output.gradientNode = GradientNode(operation: operation.name, inputs: inputs, backward: backward)
            output.requiresGrad = true
        }
        GraphRecorder.active?.record(operation, operands: operands?() ?? inputs, output: output)
        return output
    }
}
