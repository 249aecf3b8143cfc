/// NumPy/PyTorch broadcasting: shapes are aligned at their last dimension, and a dimension
/// of size 1 (or a missing leading one) stretches to match the other operand.
enum Broadcasting {
    /// The shape of `a ⊕ b`, or an error naming both shapes.
    static func shape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw TensorError.shapeMismatch(op: op, a, b, "dimension \(i) is \(da) vs \(db); sizes must match or be 1")
            }
            result[i] = max(da, db)
        }
        return result
    }

    /// Row-major strides of `shape` viewed inside `outShape`, with 0 where it is stretched.
    static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: outShape.count)
        var step = 1
        let offset = outShape.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Calls `body(outIndex, offsetA, offsetB)` for every element of `outShape`, in order.
    @inline(__always)
    static func forEach(_ outShape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = outShape.count
        let total = outShape.elementCount
        guard rank > 0 else {
            if total == 1 { body(0, 0, 0) }
            return
        }
        var index = [Int](repeating: 0, count: rank)
        var offA = 0, offB = 0
        let inner = outShape[rank - 1], innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
        var out = 0
        while out < total {
            // Innermost dimension: a tight loop.
            for j in 0..<inner { body(out + j, offA + j * innerA, offB + j * innerB) }
            out += inner
            // Odometer over the outer dimensions.
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                offA += stridesA[d]
                offB += stridesB[d]
                if index[d] < outShape[d] { break }
                offA -= stridesA[d] * outShape[d]
                offB -= stridesB[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    // ANCHOR: reduce
    /// Sums a gradient of shape `outShape` down to `shape` (the inverse of broadcasting).
    static func reduce(_ gradient: [Float], from outShape: [Int], to shape: [Int]) -> [Float] {
        if outShape == shape { return gradient }
        var result = [Float](repeating: 0, count: shape.elementCount)
        let target = strides(of: shape, in: outShape)
        let zero = [Int](repeating: 0, count: outShape.count)
        gradient.withUnsafeBufferPointer { g in
            result.withUnsafeMutableBufferPointer { r in
                forEach(outShape, target, zero) { out, offset, _ in r[offset] += g[out] }
            }
        }
        return result
    }
    // ANCHOR_END: reduce
}

extension Broadcasting {
    /// Repeats `values` of `shape` along its size-1 (or missing) dimensions to fill `outShape`.
    static func expand(_ values: [Float], from shape: [Int], to outShape: [Int]) -> [Float] {
        if shape == outShape { return values }
        let source = strides(of: shape, in: outShape)
        let zero = [Int](repeating: 0, count: outShape.count)
        return values.withUnsafeBufferPointer { v in
            [Float].filled(count: outShape.elementCount) { r in
                forEach(outShape, source, zero) { out, offset, _ in r[out] = v[offset] }
            }
        }
    }
}
