// Concatenation along one axis (torch.cat): every output element is a copy of exactly one
// element of one input, so ∂y/∂x_k is 1 on x_k's block of the output and 0 elsewhere, and
// backward cuts the incoming gradient back into the same blocks. A tensor passed twice
// gets two blocks' gradients, which autograd adds up.

/// Joins `tensors` end to end along `axis` (negative counts from the end); every other
/// dimension must match. The default joins the channels of [N, C, H, W] feature maps, as a
/// DenseNet block does: [2, 3, 4, 4] and [2, 5, 4, 4] give [2, 8, 4, 4].
public func concat(_ tensors: [Tensor], alongAxis axis: Int = 1) throws -> Tensor {
    guard let first = tensors.first else {
        throw TensorError.noTensors(op: "concat")
    }
    let a = try first.normalizedAxis(axis, op: "concat")
    for (i, t) in tensors.enumerated().dropFirst() {
        guard t.rank == first.rank else {
            throw TensorError.shapeMismatch(op: "concat", first.shape, t.shape, "tensor \(i) has rank \(t.rank), tensor 0 rank \(first.rank); all tensors need the same rank")
        }
        if let d = t.shape.indices.first(where: { $0 != a && t.shape[$0] != first.shape[$0] }) {
            throw TensorError.shapeMismatch(op: "concat", first.shape, t.shape, "tensor \(i) has size \(t.shape[d]) in dimension \(d), tensor 0 has \(first.shape[d]); every dimension except the concatenation axis \(a) must match")
        }
    }
    var outShape = first.shape
    outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
    // Input k is the box of the output that starts at the sizes of inputs 0..<k along `a`.
    var boxes: [Region] = []
    var start = 0
    for t in tensors {
        var origin = [Int](repeating: 0, count: outShape.count)
        origin[a] = start
        boxes.append(Region(outer: outShape, origin: origin, size: t.shape))
        start += t.shape[a]
    }
    let values = [Float].filled(count: outShape.elementCount) { out in
        for (t, box) in zip(tensors, boxes) { box.insert(t.scalars, into: out) }
    }
    return Tensor.result(of: .concat(axis: a), shape: outShape, scalars: values, inputs: tensors, savesInputs: false) { g in
        zip(tensors, boxes).map { t, box in
            t.requiresGrad ? Tensor(shape: t.shape, scalars: box.extract(from: g.scalars)) : nil
        }
    }
}
