/// The outputs `o` in `0..<outSize` whose input coordinate `o·stride + offset` lies in
/// `0..<inSize`. Outside this range a kernel tap reads padding.
@inline(__always)
func validOutputRange(outSize: Int, stride: Int, offset: Int, inSize: Int) -> Range<Int> {
    let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let high = inSize - offset <= 0 ? 0 : (inSize - offset - 1) / stride + 1
    let end = min(high, outSize)
    return min(low, end)..<end
}

/// Unfolds `inChannelsPerGroup` channels of one image into `col`, a row-major
/// `[patchSize, outPlane]` matrix: row `(c·kernelHeight + i)·kernelWidth + j` holds, for every
/// output position, the pixel that kernel tap `(i, j)` of channel `c` sees (0 in the padding).
/// Forward convolution is then `weight[outChannelsPerGroup, patchSize] · col`.
func im2col(_ g: Conv2dGeometry, image: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    let outH = g.outHeight, outW = g.outWidth, outPlane = outH * outW
    let inH = g.inHeight, inW = g.inWidth, inPlane = g.inPlane
    let strideH = g.strideHeight, strideW = g.strideWidth
    var row = col
    for c in 0..<g.inChannelsPerGroup {
        let plane = image + c * inPlane
        for i in 0..<g.kernelHeight {
            let rowOffset = i * g.dilationHeight - g.paddingHeight
            let ohs = validOutputRange(outSize: outH, stride: strideH, offset: rowOffset, inSize: inH)
            for j in 0..<g.kernelWidth {
                let colOffset = j * g.dilationWidth - g.paddingWidth
                let ows = validOutputRange(outSize: outW, stride: strideW, offset: colOffset, inSize: inW)
                zeroRun(ohs.lowerBound * outW, row)
                for oh in ohs {
                    let dst = row + oh * outW
                    let src = plane + (oh * strideH + rowOffset) * inW + colOffset
                    zeroRun(ows.lowerBound, dst)
                    if strideW == 1 {
                        copyRun(ows.count, from: src + ows.lowerBound, to: dst + ows.lowerBound)
                    } else {
                        for ow in ows { dst[ow] = src[ow * strideW] }
                    }
                    zeroRun(outW - ows.upperBound, dst + ows.upperBound)
                }
                zeroRun((outH - ohs.upperBound) * outW, row + ohs.upperBound * outW)
                row += outPlane
            }
        }
    }
}

/// The adjoint of `im2col`: adds every entry of `col` back onto the pixel it was read from
/// (padding entries are dropped). `image` must be initialised; it is accumulated into.
func col2imAccumulate(_ g: Conv2dGeometry, col: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
    let outH = g.outHeight, outW = g.outWidth, outPlane = outH * outW
    let inH = g.inHeight, inW = g.inWidth, inPlane = g.inPlane
    let strideH = g.strideHeight, strideW = g.strideWidth
    var row = col
    for c in 0..<g.inChannelsPerGroup {
        let plane = image + c * inPlane
        for i in 0..<g.kernelHeight {
            let rowOffset = i * g.dilationHeight - g.paddingHeight
            let ohs = validOutputRange(outSize: outH, stride: strideH, offset: rowOffset, inSize: inH)
            for j in 0..<g.kernelWidth {
                let colOffset = j * g.dilationWidth - g.paddingWidth
                let ows = validOutputRange(outSize: outW, stride: strideW, offset: colOffset, inSize: inW)
                for oh in ohs {
                    let src = row + oh * outW
                    let dst = plane + (oh * strideH + rowOffset) * inW + colOffset
                    if strideW == 1 {
                        addRun(ows.count, from: src + ows.lowerBound, to: dst + ows.lowerBound)
                    } else {
                        for ow in ows { dst[ow * strideW] += src[ow] }
                    }
                }
                row += outPlane
            }
        }
    }
}
