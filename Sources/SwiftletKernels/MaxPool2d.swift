/// Max pooling. Writes `output` and, for each output element, the flat index
/// (within its own `inHeight·inWidth` input plane) of the maximum, for the backward pass.
/// As PyTorch's CPU kernel: padding counts as −∞, ties keep the first pixel in row-major
/// order, and a NaN in the window wins (the last NaN's index is recorded).
public func maxPool2dForward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
) {
    precondition(g.isValid, "maxPool2dForward: invalid geometry \(g)")
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let src = input + plane * g.inPlane
            let dst = output + plane * g.outPlane
            let indices = argmax + plane * g.outPlane
            for oh in 0..<g.outHeight {
                let h0 = oh * g.strideHeight - g.paddingHeight
                let rows = max(h0, 0)..<min(h0 + g.kernelHeight, g.inHeight)
                for ow in 0..<g.outWidth {
                    let w0 = ow * g.strideWidth - g.paddingWidth
                    let cols = max(w0, 0)..<min(w0 + g.kernelWidth, g.inWidth)
                    var best = -Float.infinity
                    var bestIndex = rows.lowerBound * g.inWidth + cols.lowerBound
                    for h in rows {
                        for w in cols {
                            let value = src[h * g.inWidth + w]
                            if value > best || value.isNaN {
                                best = value
                                bestIndex = h * g.inWidth + w
                            }
                        }
                    }
                    dst[oh * g.outWidth + ow] = best
                    indices[oh * g.outWidth + ow] = Int32(bestIndex)
                }
            }
        }
    }
}

/// Overwrites `gradInput`: zeros, then adds each `gradOutput` element to the input pixel
/// its `argmax` entry names (overlapping windows that share a maximum both contribute).
public func maxPool2dBackward(
    _ g: Pool2dGeometry, gradOutput: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
    gradInput: UnsafeMutablePointer<Float>
) {
    precondition(g.isValid, "maxPool2dBackward: invalid geometry \(g)")
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let dst = gradInput + plane * g.inPlane
            let src = gradOutput + plane * g.outPlane
            let indices = argmax + plane * g.outPlane
            dst.update(repeating: 0, count: g.inPlane)
            for o in 0..<g.outPlane { dst[Int(indices[o])] += src[o] }
        }
    }
}
