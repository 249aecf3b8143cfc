// Sums and means over axes. The derivative of a sum with respect to each summed element
// is 1, so backward copies the incoming gradient back over the reduced axes; a mean
// also divides by the number of elements it averaged.

extension Tensor {
    /// Sum over `axes` (negative values count from the end). With `keepingDimensions`, the
    /// reduced axes stay as size 1, as PyTorch's `keepdim=True`.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let (kept, reduced) = try reducedShapes(axes, op: "sum")
        return sumReducing(to: kept, reportedShape: keepingDimensions ? kept : reduced, scale: 1,
                           as: .sum(axes: try normalizedAxes(axes, op: "sum"), keepingDimensions: keepingDimensions))
    }

    /// Mean over `axes`; see `sum(alongAxes:keepingDimensions:)`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let (kept, reduced) = try reducedShapes(axes, op: "mean")
        let n = count / max(kept.elementCount, 1)
        return sumReducing(to: kept, reportedShape: keepingDimensions ? kept : reduced, scale: 1 / Float(max(n, 1)),
                           as: .mean(axes: try normalizedAxes(axes, op: "mean"), keepingDimensions: keepingDimensions))
    }

    /// Sum of every element, as a scalar.
    public func sum() -> Tensor {
        sumReducing(to: shape.map { _ in 1 }, reportedShape: [], scale: 1, as: .sum(axes: Array(0..<rank), keepingDimensions: false))
    }

    /// Mean of every element, as a scalar.
    public func mean() -> Tensor {
        sumReducing(to: shape.map { _ in 1 }, reportedShape: [], scale: 1 / Float(max(count, 1)),
                    as: .mean(axes: Array(0..<rank), keepingDimensions: false))
    }

    /// `scale · Σ`, reducing `shape` to `kept` (same rank, 1 on reduced axes).
    private func sumReducing(to kept: [Int], reportedShape: [Int], scale: Float, as op: GraphOp) -> Tensor {
        let inputShape = shape
        var values = Broadcasting.reduce(scalars, from: inputShape, to: kept)
        if scale != 1 { values = values.mapScalars { $0 * scale } }
        return Tensor.result(of: op, shape: reportedShape, scalars: values, inputs: [self], savesInputs: false) { g in
            let expanded = Broadcasting.expand(g.scalars, from: kept, to: inputShape)
            return [Tensor(shape: inputShape, scalars: scale == 1 ? expanded : expanded.mapScalars { $0 * scale })]
        }
    }

    /// The shape with reduced axes set to 1, and the shape with them removed.
    private func reducedShapes(_ axes: [Int], op: String) throws -> (kept: [Int], reduced: [Int]) {
        var kept = shape
        for axis in axes { kept[try normalizedAxis(axis, op: op)] = 1 }
        let removed = Set(try axes.map { try normalizedAxis($0, op: op) })
        let reduced = shape.indices.filter { !removed.contains($0) }.map { shape[$0] }
        return (kept, reduced)
    }

    /// `axes` resolved, sorted and without repeats.
    private func normalizedAxes(_ axes: [Int], op: String) throws -> [Int] {
        Set(try axes.map { try normalizedAxis($0, op: op) }).sorted()
    }

    /// `axis` in `0..<rank`, accepting negative values counted from the end.
    func normalizedAxis(_ axis: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw TensorError.axisOutOfRange(op: op, axis: axis, shape: shape)
        }
        return resolved
    }
}
