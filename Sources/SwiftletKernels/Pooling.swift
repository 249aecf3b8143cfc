// Max and average pooling, parallel over (image, channel) planes.

/// Writes each window's maximum (padding counts as −∞) and, in `argmax`, its index within
/// the input plane, which backward uses to route the gradient.
public func maxPool2dForward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    argmax: UnsafeMutablePointer<Int32>
) {
    if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
        && g.paddingHeight == 0 && g.paddingWidth == 0 {
        return maxPool2x2Forward(g, input: input, output: output, argmax: argmax)
    }
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for p in planes {
            let x = input + p * g.inPlane
            var o = p * g.outPlane
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    let window = g.window(oh, ow)
                    var best = -Float.infinity
                    var bestIndex = window.rows.lowerBound * g.inWidth + window.columns.lowerBound
                    for ih in window.rows {
                        for iw in window.columns where x[ih * g.inWidth + iw] > best || x[ih * g.inWidth + iw].isNaN {
                            best = x[ih * g.inWidth + iw]
                            bestIndex = ih * g.inWidth + iw
                            if best.isNaN { break }
                        }
                    }
                    output[o] = best
                    argmax[o] = Int32(bestIndex)
                    o += 1
                }
            }
        }
    }
}

/// The common 2×2, stride-2, unpadded case (every CNN here uses it): four loads per output,
/// no window bookkeeping. Ties and NaN follow the general path: first maximum wins, NaN wins.
private func maxPool2x2Forward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    argmax: UnsafeMutablePointer<Int32>
) {
    let width = g.inWidth
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for p in planes {
            let x = input + p * g.inPlane
            var o = p * g.outPlane
            for oh in 0..<g.outHeight {
                let top = 2 * oh * width
                for ow in 0..<g.outWidth {
                    let first = top + 2 * ow
                    var index = first
                    var best = x[first]
                    @inline(__always) func consider(_ candidate: Int) {
                        let value = x[candidate]
                        if value > best || (value.isNaN && !best.isNaN) { best = value; index = candidate }
                    }
                    consider(first + 1)
                    consider(first + width)
                    consider(first + width + 1)
                    output[o] = best
                    argmax[o] = Int32(index)
                    o += 1
                }
            }
        }
    }
}

/// Overwrites gradInput: zero, plus each output's gradient at its argmax.
public func maxPool2dBackward(
    _ g: Pool2dGeometry, gradOutput: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
    gradInput: UnsafeMutablePointer<Float>
) {
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for p in planes {
            let dx = gradInput + p * g.inPlane
            dx.update(repeating: 0, count: g.inPlane)
            for o in (p * g.outPlane)..<((p + 1) * g.outPlane) { dx[Int(argmax[o])] += gradOutput[o] }
        }
    }
}

/// Window means. With `countIncludePad` (PyTorch's default) the divisor is the window
/// clipped to the padded image; otherwise the number of real input pixels in it.
public func avgPool2dForward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, countIncludePad: Bool
) {
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for p in planes {
            let x = input + p * g.inPlane
            var o = p * g.outPlane
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    let window = g.window(oh, ow)
                    var sum: Float = 0
                    for ih in window.rows { for iw in window.columns { sum += x[ih * g.inWidth + iw] } }
                    output[o] = sum / divisor(window, countIncludePad)
                    o += 1
                }
            }
        }
    }
}

/// Overwrites gradInput: each output's gradient spread evenly over the pixels it averaged.
public func avgPool2dBackward(
    _ g: Pool2dGeometry, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>, countIncludePad: Bool
) {
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for p in planes {
            let dx = gradInput + p * g.inPlane
            dx.update(repeating: 0, count: g.inPlane)
            var o = p * g.outPlane
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    let window = g.window(oh, ow)
                    let share = gradOutput[o] / divisor(window, countIncludePad)
                    for ih in window.rows { for iw in window.columns { dx[ih * g.inWidth + iw] += share } }
                    o += 1
                }
            }
        }
    }
}

@inline(__always)
private func divisor(_ window: (rows: Range<Int>, columns: Range<Int>, paddedSize: Int), _ countIncludePad: Bool) -> Float {
    Float(countIncludePad ? window.paddedSize : window.rows.count * window.columns.count)
}
