/// The window of output `(oh, ow)` clipped to the real input, and the divisor.
/// PyTorch divides by the window clipped to the *padded* input when counting padding; in floor
/// mode a window never passes the padded border, so that is always `kernelHeight·kernelWidth`.
@inline(__always)
private func averagingWindow(
    _ g: Pool2dGeometry, oh: Int, ow: Int, countIncludePad: Bool
) -> (rows: Range<Int>, cols: Range<Int>, divisor: Float) {
    let (rows, cols) = g.window(oh, ow)
    let count = countIncludePad ? g.kernelHeight * g.kernelWidth : rows.count * cols.count
    return (rows, cols, Float(count))
}

/// Average pooling; padding counts as zeros. `countIncludePad` as PyTorch's
/// `count_include_pad` (its default is true).
public func avgPool2dForward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    countIncludePad: Bool
) {
    precondition(g.isValid, "avgPool2dForward: invalid geometry \(g)")
    let inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let src = input + plane * g.inPlane
            let dst = output + plane * outH * outW
            for oh in 0..<outH {
                for ow in 0..<outW {
                    let window = averagingWindow(g, oh: oh, ow: ow, countIncludePad: countIncludePad)
                    var sum: Float = 0
                    for h in window.rows {
                        for w in window.cols { sum += src[h * inW + w] }
                    }
                    dst[oh * outW + ow] = sum / window.divisor
                }
            }
        }
    }
}

/// Overwrites `gradInput`: each output's gradient, divided by its window's divisor,
/// is spread over the real pixels of that window.
public func avgPool2dBackward(
    _ g: Pool2dGeometry, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
    countIncludePad: Bool
) {
    precondition(g.isValid, "avgPool2dBackward: invalid geometry \(g)")
    let inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let src = gradOutput + plane * outH * outW
            let dst = gradInput + plane * g.inPlane
            zeroRun(g.inPlane, dst)
            for oh in 0..<outH {
                for ow in 0..<outW {
                    let window = averagingWindow(g, oh: oh, ow: ow, countIncludePad: countIncludePad)
                    let share = src[oh * outW + ow] / window.divisor
                    for h in window.rows {
                        for w in window.cols { dst[h * inW + w] += share }
                    }
                }
            }
        }
    }
}

/// Global average pooling: output[p] = the mean of the `area` contiguous values of plane p.
public func globalAvgPool2dForward(planes: Int, area: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    let scale = 1 / Float(area)
    for plane in 0..<planes { output[plane] = sumRun(area, input + plane * area) * scale }
}
