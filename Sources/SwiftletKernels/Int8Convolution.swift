/// im2col for one int8 image [C, H, W]: row r = oh·outWidth + ow holds the receptive field
/// of output position (oh, ow) in (c, kh, kw) order, `depth` columns long — the window's
/// C·kH·kW values, then zeros up to `depth` (see `int8PaddedDepth`). Positions outside the
/// image hold `paddingCode`, the code of 0.0, so zero padding stays exact in integers.
/// Groups other than 1 are not supported (checked by the caller).
public func int8Im2col(
    _ g: Conv2dGeometry, image: UnsafePointer<Int8>, paddingCode: Int8, depth: Int,
    columns: UnsafeMutablePointer<Int8>
) {
    let window = g.inChannels * g.kernelHeight * g.kernelWidth
    precondition(g.groups == 1 && depth >= window, "int8Im2col: groups must be 1 and depth ≥ \(window)")
    let kernelWidth = g.kernelWidth, dilation = g.dilationWidth
    // Output columns whose whole kernel row lies inside the image: copied without checks.
    let firstInside = (g.paddingWidth + g.strideWidth - 1) / g.strideWidth
    let lastInside = (g.inWidth - 1 - (kernelWidth - 1) * dilation + g.paddingWidth)
    let insideColumns = firstInside..<max(firstInside, min(g.outWidth, lastInside >= 0 ? lastInside / g.strideWidth + 1 : 0))
    for oh in 0..<g.outHeight {
        let rows = columns + oh * g.outWidth * depth
        for c in 0..<g.inChannels {
            let plane = image + c * g.inHeight * g.inWidth
            for kh in 0..<g.kernelHeight {
                let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                let column = (c * g.kernelHeight + kh) * kernelWidth
                guard ih >= 0 && ih < g.inHeight else {
                    for ow in 0..<g.outWidth { (rows + ow * depth + column).update(repeating: paddingCode, count: kernelWidth) }
                    continue
                }
                let source = plane + ih * g.inWidth
                for ow in 0..<g.outWidth {
                    let target = rows + ow * depth + column
                    let iw = ow * g.strideWidth - g.paddingWidth
                    if insideColumns.contains(ow) {
                        for kw in 0..<kernelWidth { target[kw] = source[iw + kw * dilation] }
                    } else {
                        for kw in 0..<kernelWidth {
                            let x = iw + kw * dilation
                            target[kw] = x >= 0 && x < g.inWidth ? source[x] : paddingCode
                        }
                    }
                }
            }
        }
        if depth > window {
            for ow in 0..<g.outWidth { (rows + ow * depth + window).update(repeating: 0, count: depth - window) }
        }
    }
}

/// Convolution of one int8 image with int8 weights [C_out, depth] (each filter's
/// C·kH·kW codes, zero-padded to `depth`) into int32 accumulators [positions, C_out]:
/// im2col into `scratch` (positions × depth), then the weights' product.
public func int8Conv2dAccumulate(
    _ g: Conv2dGeometry, image: UnsafePointer<Int8>, paddingCode: Int8, weights: Int8PackedWeights,
    scratch: UnsafeMutablePointer<Int8>, accumulators: UnsafeMutablePointer<Int32>
) {
    int8Im2col(g, image: image, paddingCode: paddingCode, depth: weights.depth, columns: scratch)
    weights.multiply(m: g.outHeight * g.outWidth, a: scratch, lda: weights.depth, c: accumulators, ldc: g.outChannels)
}
