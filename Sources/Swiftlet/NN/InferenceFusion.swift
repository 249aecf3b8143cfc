// Inference that records nothing (no autograd, no traced graph) runs a layer and the ReLU
// after it as one step, as ONNX Runtime fuses Conv + Relu: the ReLU is applied while the
// layer's output is still in cache, instead of as a pass of its own that reads a whole
// batch's activations back from memory into a fresh array (for a CIFAR net's first
// convolution that pass cost more than the convolution). The values are the same, bit for bit.

/// When `Sequential` may fuse layers.
enum InferenceFusion {
    /// Only when nothing is recorded: a fused step leaves no gradient node and no graph op.
    static var isAllowed: Bool { !GradMode.isEnabled && GraphRecorder.active == nil }
}

/// A layer that can apply the ReLU that follows it in the same pass.
protocol ReLUFusable: Module {
    /// `ReLU()(forward(input))`, computed in one pass; called only when `InferenceFusion.isAllowed`.
    func forwardFollowedByReLU(_ input: Tensor) throws -> Tensor
}
