/// Reverse-mode automatic differentiation.
///
/// `loss.backward()` computes ∂loss/∂t for every leaf tensor `t` with `requiresGrad`, in
/// three steps:
/// 1. order the graph so that every tensor comes after the tensors it was computed from
///    (a topological sort, by depth-first search from the loss);
/// 2. walk that order backwards, starting from ∂loss/∂loss = 1: each node receives the
///    finished gradient of its output and hands its inputs their share (its `backward`);
/// 3. when a tensor feeds several operations, the shares add up — the multivariable chain
///    rule — and leaves keep the sum in `.grad`, on top of what earlier calls left there.
///
/// A node whose inputs were changed in place after the forward pass saved them (their
/// `version` moved) makes `backward()` throw `TensorError.modifiedAfterSaved`, naming the op.
extension Tensor {
    /// Backpropagates from this tensor. A scalar (a loss) needs no argument; any other
    /// tensor needs `seed`, the gradient of some scalar with respect to it.
    ///
    /// `afterLeafGradient` is called with each leaf as soon as its gradient for this pass is
    /// complete and added to `.grad`, while the rest of the graph is still being walked: data
    /// parallelism starts averaging those gradients across processes then (PyTorch's
    /// post-accumulate-grad hook). It runs once per leaf, on the calling thread.
    public func backward(_ seed: Tensor? = nil, afterLeafGradient: ((Tensor) throws -> Void)? = nil) throws {
        guard requiresGrad else { throw TensorError.noGradientRecorded }
        let start: Tensor
        if let seed {
            guard seed.shape == shape else {
                throw TensorError.shapeMismatch(op: "backward", shape, seed.shape, "the seed gradient must have the tensor's shape")
            }
            start = seed
        } else {
            guard count == 1 else { throw TensorError.backwardNeedsSeed(shape: shape) }
            start = Tensor(repeating: 1, shape: shape)
        }

        // ANCHOR: sweep
        // Gradients of intermediate tensors, held only until their node has run.
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): start]
        for tensor in topologicalOrder().reversed() {
            guard let gradOutput = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            guard let node = tensor.gradientNode else {
                tensor.accumulateGrad(gradOutput)
                try afterLeafGradient?(tensor)
                continue
            }
            if tensor.retainsGrad { tensor.accumulateGrad(gradOutput) }
            for (input, gradInput) in zip(node.inputs, try node.inputGradients(gradOutput)) {
                guard let gradInput, input.requiresGrad else { continue }
                let key = ObjectIdentifier(input)
                if let sum = pending[key] {
                    pending[key] = Tensor(shape: sum.shape, scalars: sum.scalars.adding(gradInput.scalars))
                } else {
                    pending[key] = gradInput
                }
            }
        }
        // ANCHOR_END: sweep
    }

    /// Every tensor this one depends on (itself included), each after all of its inputs:
    /// those that need a gradient, or with `includingConstants` all of them (data, labels).
    public func topologicalOrder(includingConstants: Bool = false) -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: deep graphs must not overflow the call stack.
        var stack: [(tensor: Tensor, inputsDone: Bool)] = [(self, false)]
        while let (tensor, inputsDone) = stack.popLast() {
            if inputsDone {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            // Pushed last to first, so that inputs are listed in the op's order.
            for input in (tensor.gradientNode?.inputs ?? []).reversed() where includingConstants || input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    /// Adds a gradient into `.grad`: a leaf's, or that of a tensor that `retainsGrad`.
    private func accumulateGrad(_ gradient: Tensor) {
        if let grad {
            grad.scalars.add(gradient.scalars)
        } else {
            // A fresh tensor object: `gradient` may be shared with another input's gradient.
            grad = Tensor(shape: shape, scalars: gradient.scalars)
        }
    }
}
