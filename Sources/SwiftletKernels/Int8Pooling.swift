/// Max-pooling of int8 codes [N, C, H, W] → [N, C, outH, outW]. Quantization is monotone,
/// so the maximum of the codes is the code of the maximum: no rescaling is needed.
/// Padded positions are skipped (they count as −∞, as in `nn.MaxPool2d`).
public func int8MaxPool2d(_ g: Pool2dGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2 && g.paddingHeight == 0 && g.paddingWidth == 0 {
        int8MaxPoolHalving(g, input: input, output: output)
        return
    }
    for plane in 0..<(g.batch * g.channels) {
        let x = input + plane * g.inHeight * g.inWidth
        let y = output + plane * g.outHeight * g.outWidth
        for oh in 0..<g.outHeight {
            let h0 = oh * g.strideHeight - g.paddingHeight
            let rows = max(h0, 0)..<min(h0 + g.kernelHeight, g.inHeight)
            for ow in 0..<g.outWidth {
                let w0 = ow * g.strideWidth - g.paddingWidth
                let columns = max(w0, 0)..<min(w0 + g.kernelWidth, g.inWidth)
                var best = Int8.min
                for ih in rows { for iw in columns { best = max(best, x[ih * g.inWidth + iw]) } }
                y[oh * g.outWidth + ow] = best
            }
        }
    }
}

/// The common 2×2, stride-2 pooling without padding: fixed windows that LLVM vectorizes
/// (the general loop's per-window ranges keep it scalar).
private func int8MaxPoolHalving(_ g: Pool2dGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let width = g.inWidth, outWidth = g.outWidth
    for plane in 0..<(g.batch * g.channels) {
        let x = input + plane * g.inHeight * width
        let y = output + plane * g.outHeight * outWidth
        for oh in 0..<g.outHeight {
            let top = x + 2 * oh * width, bottom = top + width, out = y + oh * outWidth
            for ow in 0..<outWidth {
                out[ow] = max(max(top[2 * ow], top[2 * ow + 1]), max(bottom[2 * ow], bottom[2 * ow + 1]))
            }
        }
    }
}
