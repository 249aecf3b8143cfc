/// Max pooling. Writes `output` and, when `argmax` is given, for each output element the
/// flat index (within its own `inHeight·inWidth` input plane) of the maximum, for the
/// backward pass; inference passes nil and skips that bookkeeping.
/// As PyTorch's CPU kernel: padding counts as −∞, ties keep the first pixel in row-major
/// order, and a NaN in the window wins (the last NaN's index is recorded).
public func maxPool2dForward(
    _ g: Pool2dGeometry, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?
) {
    precondition(g.isValid, "maxPool2dForward: invalid geometry \(g)")
    let halving = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
        && g.paddingHeight == 0 && g.paddingWidth == 0
    let inPlane = g.inPlane, outPlane = g.outPlane
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let src = input + plane * inPlane, dst = output + plane * outPlane
            let indices = argmax.map { $0 + plane * outPlane }
            if halving, let indices {
                maxPoolHalving(g, src, dst, indices)
            } else if halving {
                maxPoolHalvingValues(g, src, dst)
            } else {
                maxPoolWindows(g, src, dst, indices)
            }
        }
    }
}

/// Whether `value` replaces `best` as a window's maximum (PyTorch's rule: greater, or NaN).
@inline(__always)
private func replaces(_ value: Float, _ best: Float) -> Bool { value > best || value.isNaN }

/// Any window shape, one plane; `indices` (the argmax) optional.
private func maxPoolWindows(
    _ g: Pool2dGeometry, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ indices: UnsafeMutablePointer<Int32>?
) {
    let inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    for oh in 0..<outH {
        for ow in 0..<outW {
            let (rows, cols) = g.window(oh, ow)
            var best = -Float.infinity
            var bestIndex = rows.lowerBound * inW + cols.lowerBound
            for h in rows {
                for w in cols where replaces(src[h * inW + w], best) {
                    best = src[h * inW + w]
                    bestIndex = h * inW + w
                }
            }
            dst[oh * outW + ow] = best
            indices?[oh * outW + ow] = Int32(truncatingIfNeeded: bestIndex)
        }
    }
}

/// The 2×2, stride-2 pooling of every CNN here, one plane: 4 outputs at a time from 8 pixels
/// of each of two input rows, split into even and odd columns. A row whose width is not a
/// multiple of 4 ends with a step that overlaps the previous one (recomputing is harmless).
private func maxPoolHalving(
    _ g: Pool2dGeometry, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ indices: UnsafeMutablePointer<Int32>
) {
    let inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    let lanes = SIMD4<Int32>(0, 2, 4, 6)
    for oh in 0..<outH {
        let top = src + 2 * oh * inW, bottom = top + inW
        let out = dst + oh * outW, outIndices = indices + oh * outW
        guard outW >= 4 else {
            for ow in 0..<outW {
                let first = 2 * oh * inW + 2 * ow
                var best = src[first], bestIndex = first
                for pixel in 1..<4 {
                    let index = first + (pixel >> 1) * inW + (pixel & 1)
                    if replaces(src[index], best) {
                        best = src[index]
                        bestIndex = index
                    }
                }
                out[ow] = best
                outIndices[ow] = Int32(truncatingIfNeeded: bestIndex)
            }
            continue
        }
        var ow = 0
        while true {
            // Reads columns 2·ow ..< 2·ow + 8, inside the row because 2·outW ≤ inW.
            let upper = UnsafeRawPointer(top + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            let lower = UnsafeRawPointer(bottom + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            let first = lanes &+ Int32(truncatingIfNeeded: 2 * oh * inW + 2 * ow)
            var best = upper.evenHalf, index = first
            keepMaximum(&best, &index, upper.oddHalf, first &+ 1)
            keepMaximum(&best, &index, lower.evenHalf, first &+ Int32(truncatingIfNeeded: inW))
            keepMaximum(&best, &index, lower.oddHalf, first &+ Int32(truncatingIfNeeded: inW + 1))
            UnsafeMutableRawPointer(out + ow).storeBytes(of: best, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(outIndices + ow).storeBytes(of: index, as: SIMD4<Int32>.self)
            if ow + 4 == outW { break }
            ow = min(ow + 4, outW - 4)
        }
    }
}

/// `maxPoolHalving` without the argmax: the larger of each pixel pair along a row, then of
/// the two rows' results. This picks the same value as the row-major scan (on ties the
/// first pixel, of several NaNs the last), 4 outputs at a time.
private func maxPoolHalvingValues(_ g: Pool2dGeometry, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
    let inW = g.inWidth, outH = g.outHeight, outW = g.outWidth
    for oh in 0..<outH {
        let top = src + 2 * oh * inW, bottom = top + inW, out = dst + oh * outW
        guard outW >= 4 else {
            for ow in 0..<outW {
                out[ow] = larger(larger(top[2 * ow], top[2 * ow + 1]), larger(bottom[2 * ow], bottom[2 * ow + 1]))
            }
            continue
        }
        var ow = 0
        while true {
            // Reads columns 2·ow ..< 2·ow + 8, inside the row because 2·outW ≤ inW.
            let upper = UnsafeRawPointer(top + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            let lower = UnsafeRawPointer(bottom + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
            let best = larger(larger(upper.evenHalf, upper.oddHalf), larger(lower.evenHalf, lower.oddHalf))
            UnsafeMutableRawPointer(out + ow).storeBytes(of: best, as: SIMD4<Float>.self)
            if ow + 4 == outW { break }
            ow = min(ow + 4, outW - 4)
        }
    }
}

/// `second` where it `replaces` `first`, else `first`.
@inline(__always)
private func larger(_ first: Float, _ second: Float) -> Float { replaces(second, first) ? second : first }

@inline(__always)
private func larger(_ first: SIMD4<Float>, _ second: SIMD4<Float>) -> SIMD4<Float> {
    first.replacing(with: second, where: (second .> first) .| (second .!= second))
}

/// Lane-wise `replaces`: takes `candidate` (and its index) where it is greater or NaN.
@inline(__always)
private func keepMaximum(
    _ best: inout SIMD4<Float>, _ index: inout SIMD4<Int32>, _ candidate: SIMD4<Float>, _ candidateIndex: SIMD4<Int32>
) {
    let wins = (candidate .> best) .| (candidate .!= candidate)
    best.replace(with: candidate, where: wins)
    index.replace(with: candidateIndex, where: wins)
}

/// Overwrites `gradInput`: zeros, then adds each `gradOutput` element to the input pixel
/// its `argmax` entry names (overlapping windows that share a maximum both contribute).
// ANCHOR: max-pool-backward
public func maxPool2dBackward(
    _ g: Pool2dGeometry, gradOutput: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
    gradInput: UnsafeMutablePointer<Float>
) {
    precondition(g.isValid, "maxPool2dBackward: invalid geometry \(g)")
    let inPlane = g.inPlane, outPlane = g.outPlane
    Parallel.forRanges(g.planes, minimumChunk: 8) { planes in
        for plane in planes {
            let dst = gradInput + plane * inPlane
            let src = gradOutput + plane * outPlane
            let indices = argmax + plane * outPlane
            zeroRun(inPlane, dst)
            for o in 0..<outPlane { dst[Int(indices[o])] += src[o] }
        }
    }
}
// ANCHOR_END: max-pool-backward
