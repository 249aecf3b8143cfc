// Slicing along one axis: the output is a box of the input, every element copied once.
// Its derivative is 1 for the elements inside the box and 0 elsewhere, so backward
// scatters the incoming gradient into the box of a zero tensor of the input's shape.

extension Tensor {
    /// The elements whose index along `axis` lies in `range`, every other dimension kept
    /// whole: PyTorch's `x.narrow(axis, range.lowerBound, range.count)`, e.g. channels 2, 3
    /// and 4 of [N, C, H, W] (`x[:, 2:5]`) with `sliced(alongAxis: 1, 2..<5)`. A negative
    /// `axis` counts from the end; an empty range gives an empty tensor.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try normalizedAxis(axis, op: "slice")
        guard range.lowerBound >= 0 && range.upperBound <= shape[a] else {
            throw TensorError.sliceOutOfRange(range, axis: a, shape: shape)
        }
        var outShape = shape
        outShape[a] = range.count
        var origin = [Int](repeating: 0, count: rank)
        origin[a] = range.lowerBound
        let box = Region(outer: shape, origin: origin, size: outShape)
        let inputShape = shape
        return Tensor.result(of: .slice(axis: a, start: range.lowerBound, end: range.upperBound), shape: outShape, scalars: box.extract(from: scalars), inputs: [self], savesInputs: false) { g in
            var gx = [Float](repeating: 0, count: inputShape.elementCount)
            gx.withUnsafeMutableBufferPointer { out in
                if let base = out.baseAddress { box.insert(g.scalars, into: base) }
            }
            return [Tensor(shape: inputShape, scalars: gx)]
        }
    }
}
