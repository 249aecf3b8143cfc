// Forward convolution straight from the image, for stride-1 layers with few filters.
//
// im2col copies every input pixel kernelHeight·kernelWidth times so that one matrix product
// can do the rest. With few filters that copy costs as much as the product it feeds: the
// rank-8 convolution of a decomposed SimpleCNN ran at half the GFLOP/s of the original layer.
// Here each image is copied once, into zero-padded planes of width Wp, and every output is
// accumulated from shifted runs of those planes (llm.c-style shapes, r = (c, i, j) a kernel tap):
//   wide[o, q] = Σ_r weight[o, r] · padded[q + offset(r)]      q = oh·Wp + ow, ow < Wp
// The "wide" output has outHeight rows of Wp positions; the Wp − outWidth positions at the end
// of each row straddle two image rows and are dropped when the rows are copied out.
//
// Each output is the same chain of fused multiply-adds along r, in the same slices of r, as
// in `PackedProduct`, and is written with one rounding, so the result is bit-identical to the
// im2col path: which path a layer takes changes its speed, never a trained model.

extension Conv2dGeometry {
    /// Whether `conv2dForward` convolves directly (`DirectConvolution`) instead of through
    /// im2col and a packed product: stride 1 with at most `DirectConvolution.maxFilters`
    /// filters per group.
    var usesDirectForward: Bool {
        strideHeight == 1 && strideWidth == 1 && outChannelsPerGroup <= DirectConvolution.maxFilters
    }
}

enum DirectConvolution {
    /// Filters per tile; a layer's filters are zero-padded to a multiple of it.
    static let filters = 4
    /// Wide-output positions per tile: 4 × 24 is twelve 8-lane accumulators, as in `GEMMMicroKernel`.
    static let positions = 24
    /// Up to this many filters per group the direct path is faster. Measured with `swiftlet
    /// bench --only conv --threads 1`: SimpleCNN's conv1 (16 filters) 74 → 107 GFLOP/s and the
    /// MNIST net's conv1 (10) 64 → 83, but its conv2 (20) 94 → 83 and LeNet-5's conv2 (50) 118 → 81.
    static let maxFilters = 16

    /// `output = conv(input, weight)` for a stride-1 geometry, bias not added. Overwrites `output`.
    static func forward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
    ) {
        precondition(g.strideHeight == 1 && g.strideWidth == 1, "DirectConvolution: needs stride 1, got \(g)")
        let m = g.outChannelsPerGroup, k = g.patchSize
        let paddedFilters = (m + filters - 1) / filters * filters
        let layout = PaddedLayout(g)
        KernelScratch.with { shared in
            // weightsT[group][r][o]: the filters of one tap side by side, broadcast one at a time.
            let weightsT = shared.packedA(count: g.groups * k * paddedFilters)
            for group in 0..<g.groups {
                let source = weight + group * m * k, destination = weightsT + group * k * paddedFilters
                for r in 0..<k {
                    for o in 0..<paddedFilters {
                        destination[r * paddedFilters + o] = o < m ? source[o * k + r] : 0
                    }
                }
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { offsets in
                var r = 0
                for c in 0..<g.inChannelsPerGroup {
                    for i in 0..<g.kernelHeight {
                        for j in 0..<g.kernelWidth {
                            offsets[r] = c * layout.plane + i * g.dilationHeight * layout.width + j * g.dilationWidth
                            r += 1
                        }
                    }
                }
                let taps = UnsafePointer(offsets.baseAddress!)
                Parallel.forEach(g.batch) { n in
                    KernelScratch.with { scratch in
                        let padded = scratch.columns(count: layout.count + paddedFilters * layout.widePitch)
                        let wide = padded + layout.count
                        for group in 0..<g.groups {
                            layout.copy(g, image: input + g.inputOffset(image: n, group: group), into: padded)
                            convolve(layout, padded: padded, taps: taps, k: k,
                                     weightsT: weightsT + group * k * paddedFilters, paddedFilters: paddedFilters, wide: wide)
                            let out = output + g.outputOffset(image: n, group: group)
                            for o in 0..<m {
                                for oh in 0..<g.outHeight {
                                    copyRun(g.outWidth, from: wide + o * layout.widePitch + oh * layout.width,
                                            to: out + (o * g.outHeight + oh) * g.outWidth)
                                }
                            }
                        }
                        finish(n)
                    }
                }
            }
        }
    }

    /// Every filter's wide output, tile by tile.
    private static func convolve(
        _ layout: PaddedLayout, padded: UnsafePointer<Float>, taps: UnsafePointer<Int>, k: Int,
        weightsT: UnsafePointer<Float>, paddedFilters: Int, wide: UnsafeMutablePointer<Float>
    ) {
        let depthStep = PackedProduct.depthStep(k)
        for q in stride(from: 0, to: layout.wideCount, by: positions) {
            for o in stride(from: 0, to: paddedFilters, by: filters) {
                for p in stride(from: 0, to: k, by: depthStep) {
                    var tile = Tile()
                    for r in p..<min(p + depthStep, k) {
                        tile.addTap(padded + (q + taps[r]), weightsT + (r * paddedFilters + o))
                    }
                    tile.store(to: wide + (o * layout.widePitch + q), pitch: layout.widePitch, accumulate: p > 0)
                }
            }
        }
    }

    /// Where one group of an image's channels lives while it is convolved: planes of the
    /// padded height × width, one after another, then enough zeros that the last tile's
    /// loads stay inside the buffer.
    private struct PaddedLayout {
        let width: Int, height: Int, plane: Int, channels: Int
        /// Wide-output positions that are computed (`outHeight · width`) and their row pitch
        /// (rounded up to whole tiles).
        let wideCount: Int, widePitch: Int
        /// Floats of the padded image including the zeros after it.
        let count: Int

        init(_ g: Conv2dGeometry) {
            width = g.inWidth + 2 * g.paddingWidth
            height = g.inHeight + 2 * g.paddingHeight
            plane = width * height
            channels = g.inChannelsPerGroup
            wideCount = g.outHeight * width
            widePitch = (wideCount + positions - 1) / positions * positions
            // The last valid wide position plus the farthest tap is the last padded pixel
            // plus (width − outWidth); a tile reads up to widePitch − wideCount further.
            count = channels * plane + (width - g.outWidth) + (widePitch - wideCount)
        }

        func copy(_ g: Conv2dGeometry, image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
            if g.paddingHeight == 0 && g.paddingWidth == 0 {
                copyRun(channels * plane, from: image, to: padded)
            } else {
                for c in 0..<channels {
                    let source = image + c * g.inPlane, destination = padded + c * plane
                    zeroRun(g.paddingHeight * width, destination)
                    for ih in 0..<g.inHeight {
                        let row = destination + (ih + g.paddingHeight) * width
                        zeroRun(g.paddingWidth, row)
                        copyRun(g.inWidth, from: source + ih * g.inWidth, to: row + g.paddingWidth)
                        zeroRun(g.paddingWidth, row + g.paddingWidth + g.inWidth)
                    }
                    zeroRun(g.paddingHeight * width, destination + (g.inHeight + g.paddingHeight) * width)
                }
            }
            zeroRun(count - channels * plane, padded + channels * plane)
        }
    }

    /// A 4-filter × 24-position block of the wide output in twelve 8-lane accumulators.
    private struct Tile {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()

        /// tile += w ⊗ x for one tap: 24 shifted pixels `x` and the tap's weight in 4 filters `w`.
        @inline(__always)
        mutating func addTap(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>) {
            let x0 = GEMMMicroKernel.load(x), x1 = GEMMMicroKernel.load(x + 8), x2 = GEMMMicroKernel.load(x + 16)
            let w0 = SIMD8<Float>(repeating: w[0]), w1 = SIMD8<Float>(repeating: w[1])
            let w2 = SIMD8<Float>(repeating: w[2]), w3 = SIMD8<Float>(repeating: w[3])
            c00.addProduct(w0, x0); c01.addProduct(w0, x1); c02.addProduct(w0, x2)
            c10.addProduct(w1, x0); c11.addProduct(w1, x1); c12.addProduct(w1, x2)
            c20.addProduct(w2, x0); c21.addProduct(w2, x1); c22.addProduct(w2, x2)
            c30.addProduct(w3, x0); c31.addProduct(w3, x1); c32.addProduct(w3, x2)
        }

        @inline(__always)
        func store(to p: UnsafeMutablePointer<Float>, pitch: Int, accumulate: Bool) {
            Self.storeRow(c00, c01, c02, to: p, accumulate: accumulate)
            Self.storeRow(c10, c11, c12, to: p + pitch, accumulate: accumulate)
            Self.storeRow(c20, c21, c22, to: p + 2 * pitch, accumulate: accumulate)
            Self.storeRow(c30, c31, c32, to: p + 3 * pitch, accumulate: accumulate)
        }

        @inline(__always)
        private static func storeRow(
            _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, accumulate: Bool
        ) {
            if accumulate {
                GEMMMicroKernel.store(GEMMMicroKernel.load(p) + v0, p)
                GEMMMicroKernel.store(GEMMMicroKernel.load(p + 8) + v1, p + 8)
                GEMMMicroKernel.store(GEMMMicroKernel.load(p + 16) + v2, p + 16)
            } else {
                GEMMMicroKernel.store(v0, p)
                GEMMMicroKernel.store(v1, p + 8)
                GEMMMicroKernel.store(v2, p + 16)
            }
        }
    }
}
