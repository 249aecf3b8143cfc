// im2col turns convolution into matrix multiplication: for one image and one group, row
// (c, kh, kw) of the column matrix holds, for every output pixel, the input value that
// kernel tap multiplies (zero where it falls in the padding). col2im is its adjoint:
// it adds each column-matrix entry back onto the input pixel it came from.

/// Fills `columns` [patchSize, outHeight·outWidth] from one group's input channels.
func im2col(_ g: Conv2dGeometry, input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
    let (outH, outW) = (g.outHeight, g.outWidth)
    var row = columns
    for c in 0..<g.groupInChannels {
        let plane = input + c * g.inPlane
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let columnOffset = kw * g.dilationWidth - g.paddingWidth
                for oh in 0..<outH {
                    let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                    let out = row + oh * outW
                    guard ih >= 0 && ih < g.inHeight else {
                        out.update(repeating: 0, count: outW)
                        continue
                    }
                    let source = plane + ih * g.inWidth
                    let (first, last) = validColumns(g, columnOffset, outW)
                    if first > 0 { out.update(repeating: 0, count: first) }
                    if g.strideWidth == 1 {
                        if last > first { (out + first).update(from: source + first + columnOffset, count: last - first) }
                    } else {
                        for ow in first..<max(first, last) { out[ow] = source[ow * g.strideWidth + columnOffset] }
                    }
                    if last < outW { (out + max(first, last)).update(repeating: 0, count: outW - max(first, last)) }
                }
                row += outH * outW
            }
        }
    }
}

/// Adds `columns` [patchSize, outHeight·outWidth] back onto one group's input channels.
func col2im(_ g: Conv2dGeometry, columns: UnsafePointer<Float>, input: UnsafeMutablePointer<Float>) {
    let (outH, outW) = (g.outHeight, g.outWidth)
    var row = columns
    for c in 0..<g.groupInChannels {
        let plane = input + c * g.inPlane
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let columnOffset = kw * g.dilationWidth - g.paddingWidth
                let (first, last) = validColumns(g, columnOffset, outW)
                for oh in 0..<outH {
                    let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                    guard ih >= 0 && ih < g.inHeight else { continue }
                    let target = plane + ih * g.inWidth
                    let source = row + oh * outW
                    for ow in first..<max(first, last) { target[ow * g.strideWidth + columnOffset] += source[ow] }
                }
                row += outH * outW
            }
        }
    }
}

/// The output columns `first..<last` whose input column `ow·stride + offset` is inside the image.
@inline(__always)
private func validColumns(_ g: Conv2dGeometry, _ offset: Int, _ outW: Int) -> (Int, Int) {
    // ow·s + offset ≥ 0  ⇔  ow ≥ ⌈−offset / s⌉;   ow·s + offset < inWidth  ⇔  ow < ⌈(inWidth − offset) / s⌉
    let s = g.strideWidth
    let first = offset >= 0 ? 0 : (-offset + s - 1) / s
    let last = g.inWidth - offset <= 0 ? 0 : (g.inWidth - offset + s - 1) / s
    return (min(first, outW), min(last, outW))
}
