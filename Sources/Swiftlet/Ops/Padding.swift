// Constant padding: the input is copied into the middle of a larger tensor filled with
// `value`. Each output element is either an input element (derivative 1) or the constant
// (derivative 0), so backward crops the incoming gradient back to the input's box.

extension Tensor {
    /// Pads every dimension with `value`: `padding[d]` adds `before` elements ahead of
    /// dimension `d` and `after` behind it, so its size becomes `before + shape[d] + after`
    /// (`torch.nn.functional.pad` with mode "constant", one pair per dimension, first
    /// dimension first). For [N, C, H, W], `[(0, 0), (0, 0), (1, 1), (2, 2)]` adds one row
    /// above and below and two columns left and right.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) throws -> Tensor {
        guard padding.count == rank else {
            throw TensorError.paddingCountMismatch(pairs: padding.count, shape: shape)
        }
        for (d, pair) in padding.enumerated() {
            if pair.before < 0 { throw TensorError.negativePadding(op: "pad", side: "before dimension \(d)", amount: pair.before) }
            if pair.after < 0 { throw TensorError.negativePadding(op: "pad", side: "after dimension \(d)", amount: pair.after) }
        }
        let outShape = shape.indices.map { padding[$0].before + shape[$0] + padding[$0].after }
        let box = Region(outer: outShape, origin: padding.map(\.before), size: shape)
        var values = [Float](repeating: value, count: outShape.elementCount)
        values.withUnsafeMutableBufferPointer { out in
            if let base = out.baseAddress { box.insert(scalars, into: base) }
        }
        let inputShape = shape
        return Tensor.result(of: .pad(before: padding.map(\.before), after: padding.map(\.after), value: value), shape: outShape, scalars: values, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: inputShape, scalars: box.extract(from: g.scalars))]
        }
    }
}
