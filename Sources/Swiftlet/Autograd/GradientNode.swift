// ANCHOR: node
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
    public let inputs: [Tensor]
    let backward: (_ gradOutput: Tensor) throws -> [Tensor?]
    /// Each input's `version` when the operation ran, for the inputs `backward` reads.
    private let savedVersions: [(input: Int, version: Int)]

    init(operation: String, inputs: [Tensor], savesInputs: Bool, backward: @escaping (_ gradOutput: Tensor) throws -> [Tensor?]) {
        self.operation = operation
        self.inputs = inputs
        self.backward = backward
        savedVersions = savesInputs ? inputs.enumerated().map { (input: $0, version: $1.version) } : []
    }
}
// ANCHOR_END: node

extension GradientNode {
    /// The gradients `backward` hands the inputs, after checking that no input it reads was
    /// changed in place since the forward pass, and that it returned one gradient of the
    /// input's shape per input.
    func inputGradients(_ gradOutput: Tensor) throws -> [Tensor?] {
        for (index, version) in savedVersions where inputs[index].version != version {
            throw TensorError.modifiedAfterSaved(op: operation, input: index, shape: inputs[index].shape,
                                                 savedVersion: version, version: inputs[index].version)
        }
        // Gradients are values, not new graph: nothing a backward computes is recorded.
        let gradients = try withNoGrad { try backward(gradOutput) }
        guard gradients.count == inputs.count else {
            throw TensorError.gradientCountMismatch(op: "\(operation)", gradients: gradients.count, inputs: inputs.count)
        }
        for (input, gradient) in zip(inputs, gradients) {
            if let gradient, gradient.shape != input.shape {
                throw TensorError.shapeMismatch(op: "\(operation) backward", input.shape, gradient.shape,
                                                "an input's gradient must have the input's shape")
            }
        }
        return gradients
    }
}

extension Tensor {
    /// Builds the result of an operation and, when gradients are being recorded and any
    /// input needs one, attaches the node that knows how to differentiate it. When a model
    /// graph is being traced, the operation is recorded there too, with `operands` (by
    /// default the inputs) in the order `GraphOp` documents. `savesInputs: false` says that
    /// `backward` reads no input's values (only shapes), so changing them afterwards is safe.
    ///
    /// Every differentiable operation in Swiftlet ends with a call to this function.
    static func result(
        of operation: GraphOp, shape: [Int], scalars: [Float], inputs: [Tensor], operands: (() -> [Tensor])? = nil,
        savesInputs: Bool = true, backward: @escaping (_ gradOutput: Tensor) throws -> [Tensor?]
    ) -> Tensor {
        let output = Tensor(shape: shape, scalars: scalars)
        if GradMode.isEnabled && inputs.contains(where: \.requiresGrad) {
            output.gradientNode = GradientNode(operation: operation.name, inputs: inputs, savesInputs: savesInputs, backward: backward)
            output.requiresGrad = true
        }
        GraphRecorder.active?.record(operation, operands: operands?() ?? inputs, output: output)
        return output
    }
}
