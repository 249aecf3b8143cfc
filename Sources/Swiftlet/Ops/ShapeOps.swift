// Operations that rearrange elements without changing them. Reshape keeps the row-major
// order, so its backward is a reshape back; permute moves elements, so its backward
// applies the inverse permutation.

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 and is then inferred.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try resolveShape(newShape)
        let inputShape = shape
        return Tensor.result(of: .reshape(shape: resolved), shape: resolved, scalars: scalars, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: inputShape, scalars: g.scalars)]
        }
    }

    /// Collapses dimensions `startAxis...` into one, as PyTorch's `flatten(start_dim)`.
    /// The default keeps the batch dimension: [N, C, H, W] → [N, C·H·W].
    public func flattened(startAxis: Int = 1) throws -> Tensor {
        let start = try normalizedAxis(startAxis, op: "flatten")
        return try reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Reorders the axes: output axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank, Set(axes) == Set(0..<rank) else {
            throw TensorError.notAPermutation(axes, shape: shape)
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in axes.enumerated() { inverse[axis] = i }
        let values = Tensor.permute(scalars, shape: shape, axes: axes)
        let outShape = axes.map { shape[$0] }
        return Tensor.result(of: .permute(axes: axes), shape: outShape, scalars: values, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: axes.indices.map { outShape[inverse[$0]] },
                    scalars: Tensor.permute(g.scalars, shape: outShape, axes: inverse))]
        }
    }

    /// Swaps the last two axes (a matrix transpose).
    public func transposed() throws -> Tensor {
        guard rank >= 2 else {
            throw TensorError.unexpectedShape(op: "transpose", shape, expected: "at least 2 dimensions")
        }
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return try permuted(axes)
    }

    /// Gathers `values` of `shape` into the axis order `axes`.
    private static func permute(_ values: [Float], shape: [Int], axes: [Int]) -> [Float] {
        let outShape = axes.map { shape[$0] }
        var inputStrides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { inputStrides[i] = inputStrides[i + 1] * shape[i + 1] }
        let gatherStrides = axes.map { inputStrides[$0] }
        let zero = [Int](repeating: 0, count: outShape.count)
        return values.withUnsafeBufferPointer { v in
            [Float].filled(count: values.count) { r in
                Broadcasting.forEach(outShape, gatherStrides, zero) { out, offset, _ in r[out] = v[offset] }
            }
        }
    }

    private func resolveShape(_ newShape: [Int]) throws -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= 0 || $0 == -1 }) else {
            throw TensorError.invalidShape(newShape, "reshape takes at most one -1 and no other negative size")
        }
        var resolved = newShape
        if let i = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", shape, newShape, "\(count) elements cannot be split that way")
            }
            resolved[i] = count / known
        }
        guard resolved.elementCount == count else {
            throw TensorError.shapeMismatch(op: "reshape", shape, newShape, "\(count) elements cannot fill \(resolved.elementCount)")
        }
        return resolved
    }
}
