// Inference that records nothing (no autograd, no traced graph) runs a layer and the ReLU
// after it as one step, as ONNX Runtime fuses Conv + Relu, and a convolution's max pooling
// too: the ReLU and the pooling are applied image by image while the convolution's output is
// still in cache, instead of as passes of their own that read a whole batch's activations
// back from memory into fresh arrays (for a CIFAR net's first convolution those passes cost
// more than the convolution). The values are the same, bit for bit.

/// When and how `Sequential` fuses layers.
enum InferenceFusion {
    /// Only when nothing is recorded: a fused step leaves no gradient node and no graph op.
    static var isAllowed: Bool { !GradMode.isEnabled && GraphRecorder.active == nil }

    /// Runs the first layers of `layers` as one step when they form a fusable run — a
    /// convolution followed by ReLU and max pooling in either order (they commute exactly), or
    /// a `ReLUFusable` layer followed by ReLU — and says how many layers it covered; nil when
    /// they do not. Call only when `isAllowed`.
    static func run<Layers: Collection<Module>>(_ layers: Layers, input: Tensor) throws -> (output: Tensor, layers: Int)? {
        // Every fusable run has a ReLU or a max pooling second: checked first, without
        // allocating, as this runs before every layer of every inference call.
        var following = layers.makeIterator()
        guard let first = following.next(), let second = following.next(), second is ReLU || second is MaxPool2d else { return nil }
        if let convolution = first as? Conv2d, let third = following.next() {
            if second is ReLU, let pool = third as? MaxPool2d {
                return (try convolution.forward(input, applyingReLU: true, maxPooling: pool), 3)
            }
            if let pool = second as? MaxPool2d, third is ReLU {
                return (try convolution.forward(input, applyingReLU: true, maxPooling: pool), 3)
            }
        }
        if second is ReLU, let layer = first as? ReLUFusable {
            return (try layer.forwardFollowedByReLU(input), 2)
        }
        return nil
    }
}

/// A layer that can apply the ReLU that follows it in the same pass.
protocol ReLUFusable: Module {
    /// `ReLU()(forward(input))`, computed in one pass; called only when `InferenceFusion.isAllowed`.
    func forwardFollowedByReLU(_ input: Tensor) throws -> Tensor
}
