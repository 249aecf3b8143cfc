/// The outputs `o` in `0..<outSize` whose input coordinate `o·stride + offset` lies in
/// `0..<inSize`. Outside this range a kernel tap reads padding.
@inline(__always)
func validOutputRange(outSize: Int, stride: Int, offset: Int, inSize: Int) -> Range<Int> {
    // Integer division costs tens of cycles, more than copying a short row: avoid it for stride 1.
    if stride == 1 {
        let end = min(max(inSize - offset, 0), outSize)
        return min(max(-offset, 0), end)..<end
    }
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
    if g.isUnpaddedStrideOne {
        // Every row of col is outH full runs of outW pixels: no range arithmetic, no zeros.
        for c in 0..<g.inChannelsPerGroup {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let tap: Int = c &* inPlane &+ i &* g.dilationHeight &* inW &+ j &* g.dilationWidth
                    let src = image + tap
                    for oh in 0..<outH { copyRun(outW, from: src + oh &* inW, to: row + oh &* outW) }
                    row += outPlane
                }
            }
        }
        return
    }
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
                    } else if strideW == 2 {
                        // Even lanes of 16-float loads while they stay inside the input row.
                        var ow = ows.lowerBound
                        while ow + 8 <= ows.upperBound && colOffset + 2 * ow + 16 <= inW {
                            storeVector(UnsafeRawPointer(src + 2 * ow).loadUnaligned(as: SIMD16<Float>.self).evenHalf, dst + ow)
                            ow += 8
                        }
                        while ow < ows.upperBound {
                            dst[ow] = src[2 * ow]
                            ow += 1
                        }
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
    if g.isUnpaddedStrideOne {
        for c in 0..<g.inChannelsPerGroup {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let tap: Int = c &* inPlane &+ i &* g.dilationHeight &* inW &+ j &* g.dilationWidth
                    let dst = image + tap
                    for oh in 0..<outH { addRun(outW, from: row + oh &* outW, to: dst + oh &* inW) }
                    row += outPlane
                }
            }
        }
        return
    }
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
                    } else if strideW == 2 {
                        // 16 floats of the row at a time, the 8 values added to the even lanes and
                        // −0 (which leaves every value as it is) to the odd ones, while they stay
                        // inside the row: the image belongs to this thread, the next one may not.
                        var ow = ows.lowerBound
                        while ow + 8 <= ows.upperBound && colOffset + 2 * ow + 16 <= inW {
                            var spread = SIMD16<Float>(repeating: -0.0)
                            spread.evenHalf = loadVector(src + ow)
                            let pixels = UnsafeMutableRawPointer(dst + 2 * ow)
                            pixels.storeBytes(of: pixels.loadUnaligned(as: SIMD16<Float>.self) + spread, as: SIMD16<Float>.self)
                            ow += 8
                        }
                        while ow < ows.upperBound {
                            dst[2 * ow] += src[ow]
                            ow += 1
                        }
                    } else {
                        for ow in ows { dst[ow * strideW] += src[ow] }
                    }
                }
                row += outPlane
            }
        }
    }
}

/// `im2col` of an unpadded stride-1 geometry written straight into `PackedProduct`'s B layout
/// (panels of 16 output positions, each holding its 16 positions for every patch row, the
/// last panel zero-padded): the forward product's right operand without a packing pass.
func im2colPanels(_ g: Conv2dGeometry, image: UnsafePointer<Float>, packed: UnsafeMutablePointer<Float>) {
    precondition(g.isUnpaddedStrideOne, "im2colPanels: needs stride 1 and no padding, got \(g)")
    let outH = g.outHeight, outW = g.outWidth, outPlane = outH * outW
    let inW = g.inWidth, inPlane = g.inPlane, patch = g.patchSize
    let panelStride = GEMMMicroKernel.columns * patch
    for oh in 0..<outH {
        // An image row of outW positions may straddle panels: copy it piece by piece, each
        // piece for every patch row (consecutive patch rows are 16 floats apart in a panel).
        var ow = 0
        while ow < outW {
            let position = oh * outW + ow
            let lane = position & 15
            let count = min(outW - ow, 16 - lane)
            let source = image + (oh * inW + ow)
            var destination = packed + ((position >> 4) * panelStride + lane)
            for c in 0..<g.inChannelsPerGroup {
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let tap: Int = c &* inPlane &+ i &* g.dilationHeight &* inW &+ j &* g.dilationWidth
                        copyRun(count, from: source + tap, to: destination)
                        destination += GEMMMicroKernel.columns
                    }
                }
            }
            ow += count
        }
    }
    let used = outPlane & 15
    if used != 0 {
        let lastPanel = packed + (outPlane >> 4) * panelStride
        for r in 0..<patch { zeroRun(16 - used, lastPanel + r * 16 + used) }
    }
}

/// The transpose of `im2col` (one row per output position) for an unpadded stride-1
/// geometry, written straight into `PackedProduct`'s B layout: panels of 16 patch entries,
/// each holding those 16 entries for every output position. The weight gradient's right
/// operand, gradOutput · im2colᵀ, without a transposing pack.
func im2rowPanels(_ g: Conv2dGeometry, image: UnsafePointer<Float>, packed: UnsafeMutablePointer<Float>) {
    precondition(g.isUnpaddedStrideOne, "im2rowPanels: needs stride 1 and no padding, got \(g)")
    let outH = g.outHeight, outW = g.outWidth, outPlane = outH * outW
    let inW = g.inWidth, inPlane = g.inPlane, patch = g.patchSize
    let panelStride = GEMMMicroKernel.columns * outPlane
    var r = 0
    for c in 0..<g.inChannelsPerGroup {
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                let tap: Int = c &* inPlane &+ i &* g.dilationHeight &* inW &+ j &* g.dilationWidth
                let column = packed + ((r >> 4) &* panelStride &+ (r & 15))
                for oh in 0..<outH {
                    let source = image + (tap &+ oh &* inW)
                    let destination = column + oh &* outW &* 16
                    for ow in 0..<outW { destination[ow &* 16] = source[ow] }
                }
                r += 1
            }
        }
    }
    let used = patch & 15
    if used != 0 {
        let lastPanel = packed + (patch >> 4) * panelStride
        for p in 0..<outPlane { zeroRun(16 - used, lastPanel + p * 16 + used) }
    }
}
