// Convolutions straight from the image, without im2col.
//
// im2col copies every input pixel kernelHeight·kernelWidth times so that one matrix product
// can do the rest; col2im adds as many copies back. For the padded 3×3 layers of a ResNet or
// VGG those copies cost as much as the products they feed, and with few filters (a rank-8
// decomposed convolution) even more. Here a chunk of images is copied once into a zero-padded
// "stacked" layout (`StackedLayout`) in which every kernel tap is a constant shift:
//   wide[o, q] = Σ_r weight[o, r] · stacked[q + offset(r)]         (r = (c, i, j) a kernel tap)
// q runs over the rows of all images of the chunk, each row `width` positions long; the
// positions that straddle two rows or two images are computed and dropped ("wide" output).
// A strided layer's channels are first split into phase planes (even and odd rows and
// columns for stride 2), in which every tap is again a constant shift.
//
// - forward (padded or strided layers, and unpadded ones with few filters): the formula above,
//   tiles of filters × positions (`Tile`);
// - input gradient (padded stride-1 layers): the same forward kernel on gradOutput with the weights
//   flipped and transposed (a stride-1 convolution's adjoint is a convolution with padding
//   (k−1)·d − p), which replaces col2im;
// - weight gradient (padded or strided layers): gradW[o, r] = Σ_q gradOutput[o, q] · stacked[q + offset(r)],
//   dot products along q (`accumulateRowProducts`), gradOutput laid out wide with zeros at the
//   dropped positions.
//
// The forward output is the same chain of fused multiply-adds along r, in the same slices of
// r, as in `PackedProduct`, written with one rounding, so it is bit-identical to the im2col
// path: whether a layer takes this path or im2col never changes a forward result (the
// Winograd path of wide 3×3 layers does, in the last bits). The two gradients sum in a
// different order from their im2col paths (still the same for every run with a given thread
// count).

extension Conv2dGeometry {
    var isStrideOne: Bool { strideHeight == 1 && strideWidth == 1 }
    var hasPadding: Bool { paddingHeight > 0 || paddingWidth > 0 }

    /// Whether `conv2dForward` convolves directly (`DirectConvolution`) instead of through
    /// im2col and a packed product: padded, or strided with more than one tap (no im2col copy
    /// of the padding, no strided gathers per tap), or unpadded with at most
    /// `DirectConvolution.maxFilters` filters per group — or twice that when the wide output
    /// drops at most a sixth of each row (a 3×3 kernel on rows of 12 pixels or more): SimpleCNN's
    /// conv2 (32 filters, 3×3 on 15×15) took 11 % less CPU time in batch-64 inference that way,
    /// while the CIFAR teacher's conv2 (64 filters) took 7 % more. A strided 1×1 layer (a ResNet's
    /// projection shortcut) is a plain product of the subsampled image, faster through im2col:
    /// 0.6 against 0.8 ms for ResNet-20's 32 → 64 (batch 128, AVX-512, one thread).
    var usesDirectForward: Bool {
        guard isStrideOne else { return kernelHeight * kernelWidth > 1 }
        return hasPadding || outChannelsPerGroup <= DirectConvolution.maxFilters
            || (outChannelsPerGroup <= 2 * DirectConvolution.maxFilters && (kernelWidth - 1) * dilationWidth * 6 <= inWidth)
    }

    /// Whether `conv2dBackwardInput` runs as a direct convolution of gradOutput: stride 1,
    /// padded, with padding no wider than the kernel's reach (then the adjoint's padding
    /// (k−1)·d − p is not negative), at least a tile of input channels, and a wide output that
    /// wastes little. The im2col path's extra cost is col2im, in proportion to the patch; the
    /// direct path's is the dropped share of the wide output, in proportion to the patch times
    /// the filters. Measured (`bench --only conv`, one thread, both builds): 64 → 64 on 8×8
    /// (27 % dropped) direct 2–9 % faster, 64 → 128 and 128 → 128 on 8×8 the im2col path 20 %
    /// faster; with 16×16 planes and up the direct path is level or faster.
    var usesDirectBackwardInput: Bool {
        guard isStrideOne && hasPadding && inChannelsPerGroup >= DirectConvolution.filters
            && paddingHeight <= (kernelHeight - 1) * dilationHeight && paddingWidth <= (kernelWidth - 1) * dilationWidth
        else { return false }
        let adjoint = DirectConvolution.StackedLayout(inputGradientGeometry, images: 1, multiple: 1)
        let dropped = Double(adjoint.imagePositions - inPlane) / Double(inPlane)
        return dropped * Double(outChannelsPerGroup) <= 24
    }

    /// Whether `conv2dBackwardWeight` reads the stacked layout instead of im2col: padded or strided.
    var usesDirectBackwardWeight: Bool { !isStrideOne || hasPadding }

    /// The input gradient of this (stride-1) convolution as a convolution of gradOutput:
    /// channels swapped, padding (k−1)·d − p, the same kernel size, dilation and groups.
    var inputGradientGeometry: Conv2dGeometry {
        Conv2dGeometry(
            batch: batch, inChannels: outChannels, inHeight: outHeight, inWidth: outWidth,
            outChannels: inChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            paddingHeight: (kernelHeight - 1) * dilationHeight - paddingHeight,
            paddingWidth: (kernelWidth - 1) * dilationWidth - paddingWidth,
            dilationHeight: dilationHeight, dilationWidth: dilationWidth, groups: groups)
    }
}

enum DirectConvolution {
    #if SWIFTLET_AVX512
    /// Filters per tile; a layer's filters are zero-padded to a multiple of it.
    static let filters = 8
    /// Wide-output positions per tile: 8 × 32 is sixteen 16-lane accumulators.
    static let positions = 32
    #else
    static let filters = 4
    /// 4 × 24 is twelve 8-lane accumulators, as in `GEMMMicroKernel`.
    static let positions = 24
    #endif
    /// Unpadded layers take the direct forward path up to this many filters per group; with
    /// more, im2col written straight into packed panels and the packed product were faster.
    /// Measured with `swiftlet bench --only conv --threads 1`: SimpleCNN's conv1 (16 filters) 74 →
    /// 107 GFLOP/s and the MNIST net's conv1 (10) 64 → 83, but its conv2 (20) 94 → 83 and LeNet-5's
    /// conv2 (50) 118 → 81 (unpadded 5×5 layers on small planes drop a third of the wide output).
    static let maxFilters = 16
    /// Stacked positions aimed at per chunk of images: the chunk's input and output stay in L2,
    /// and the weight gradient's rows of gradOutput in L1.
    static let chunkPositions = 2048

    // MARK: Forward and input gradient

    /// `output = conv(input, weight)` for a stride-1 geometry, bias not added. Overwrites `output`.
    /// `finish(n)` runs once image n's output is complete.
    static func forward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, preparedWeights weightsT: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
    ) {
        convolve(g, input: input, weightsT: weightsT, paddedFilters: paddedFilters(g), output: output, finish: finish)
    }

    /// A group's filters zero-padded to whole tiles.
    private static func paddedFilters(_ g: Conv2dGeometry) -> Int {
        (g.outChannelsPerGroup + filters - 1) / filters * filters
    }

    /// Floats of the forward pass's prepared weights (`prepareWeights`).
    static func preparedWeightsCount(_ g: Conv2dGeometry) -> Int { g.groups * g.patchSize * paddedFilters(g) }

    /// weightsT[group][r][o]: the filters of one tap side by side, broadcast one at a time.
    static func prepareWeights(_ g: Conv2dGeometry, _ weight: UnsafePointer<Float>, into weightsT: UnsafeMutablePointer<Float>) {
        let m = g.outChannelsPerGroup, k = g.patchSize, paddedFilters = paddedFilters(g)
        for group in 0..<g.groups {
            let source = weight + group * m * k, destination = weightsT + group * k * paddedFilters
            for r in 0..<k {
                for o in 0..<paddedFilters {
                    destination[r * paddedFilters + o] = o < m ? source[o * k + r] : 0
                }
            }
        }
    }

    /// `gradInput = ∂L/∂input` of a stride-1 geometry with `usesDirectBackwardInput`, as the
    /// convolution of gradOutput with the flipped, transposed weights. Overwrites `gradInput`.
    static func backwardInput(
        _ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>
    ) {
        precondition(g.usesDirectBackwardInput, "DirectConvolution.backwardInput: unsupported geometry \(g)")
        let adjoint = g.inputGradientGeometry
        let m = g.outChannelsPerGroup, c = g.inChannelsPerGroup, kh = g.kernelHeight, kw = g.kernelWidth
        let k = adjoint.patchSize  // m · kh · kw
        let paddedFilters = paddedFilters(adjoint)  // c, padded
        KernelScratch.with { shared in
            // weightsT[group][(o, i', j')][ci] = weight[group·m + o][ci][kh−1−i'][kw−1−j'].
            let weightsT = shared.packedA(count: g.groups * k * paddedFilters)
            for group in 0..<g.groups {
                let source = weight + group * m * g.patchSize, destination = weightsT + group * k * paddedFilters
                for o in 0..<m {
                    for i in 0..<kh {
                        for j in 0..<kw {
                            let row = destination + ((o * kh + i) * kw + j) * paddedFilters
                            let tap = (kh - 1 - i) * kw + (kw - 1 - j)
                            for ci in 0..<paddedFilters {
                                row[ci] = ci < c ? source[(o * c + ci) * kh * kw + tap] : 0
                            }
                        }
                    }
                }
            }
            convolve(adjoint, input: gradOutput, weightsT: weightsT, paddedFilters: paddedFilters, output: gradInput,
                     finish: { _ in })
        }
    }

    /// Images per chunk: about `chunkPositions` stacked positions, and at least four chunks
    /// per thread while the batch allows (so a late thread still gets a share).
    private static func imagesPerChunk(_ g: Conv2dGeometry, layoutImage: Int) -> Int {
        let byCache = max(1, chunkPositions / layoutImage)
        let byBalance = max(1, g.batch / (4 * Parallel.availableThreads))
        return min(byCache, byBalance)
    }

    /// The direct convolution of `input` with weights packed as weightsT[group][r][paddedFilters].
    private static func convolve(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, weightsT: UnsafePointer<Float>, paddedFilters: Int,
        output: UnsafeMutablePointer<Float>, finish: (_ image: Int) -> Void
    ) {
        let m = g.outChannelsPerGroup, k = g.patchSize
        let perChunk = imagesPerChunk(g, layoutImage: StackedLayout(g, images: 1, multiple: positions).imagePositions)
        let chunks = (g.batch + perChunk - 1) / perChunk
        Parallel.forEach(chunks) { chunk in
            let first = chunk * perChunk, count = min(perChunk, g.batch - first)
            let layout = StackedLayout(g, images: count, multiple: positions)
            KernelScratch.with { scratch in
                let stacked = scratch.columns(count: layout.count)
                let wide = scratch.packedB(count: paddedFilters * layout.paddedPositions)
                withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { offsets in
                    layout.tapOffsets(g, into: offsets.baseAddress!)
                    let taps = UnsafePointer(offsets.baseAddress!)
                    for group in 0..<g.groups {
                        layout.copy(g, into: stacked) { input + g.inputOffset(image: first + $0, group: group) }
                        let groupWeights = weightsT + group * k * paddedFilters
                        // One chunk (a batch of one image) leaves the other threads idle: they
                        // share its tiles of positions instead; more chunks take all of theirs.
                        let tiles = layout.paddedPositions / positions
                        let tilesPerThread = chunks == 1 ? GEMMPartition.minimumFlopsPerThread / (2 * positions * paddedFilters * k) : tiles
                        Parallel.forRanges(tiles, minimumChunk: max(1, tilesPerThread)) { share in
                            convolveTiles(layout, stacked: stacked, taps: taps, k: k, weightsT: groupWeights, paddedFilters: paddedFilters,
                                          wide: wide, positions: share.lowerBound * positions..<share.upperBound * positions)
                        }
                        for s in 0..<count {
                            let out = output + g.outputOffset(image: first + s, group: group)
                            for o in 0..<m {
                                let source = wide + o * layout.paddedPositions + s * layout.imagePositions
                                for oh in 0..<g.outHeight {
                                    copyRun(g.outWidth, from: source + oh * layout.width,
                                            to: out + (o * g.outHeight + oh) * g.outWidth)
                                }
                            }
                        }
                    }
                }
            }
            for s in 0..<count { finish(first + s) }
        }
    }

    /// Every filter's wide output at `range` (whole tiles of positions), tile by tile; k is
    /// summed in `PackedProduct`'s slices.
    private static func convolveTiles(
        _ layout: StackedLayout, stacked: UnsafePointer<Float>, taps: UnsafePointer<Int>, k: Int,
        weightsT: UnsafePointer<Float>, paddedFilters: Int, wide: UnsafeMutablePointer<Float>, positions range: Range<Int>
    ) {
        let depthStep = PackedProduct.depthStep(k)
        let pitch = layout.paddedPositions
        for q in stride(from: range.lowerBound, to: range.upperBound, by: positions) {
            for o in stride(from: 0, to: paddedFilters, by: filters) {
                for p in stride(from: 0, to: k, by: depthStep) {
                    var tile = Tile()
                    for r in p..<min(p + depthStep, k) {
                        tile.addTap(stacked + (q &+ taps[r]), weightsT + (r &* paddedFilters &+ o))
                    }
                    tile.store(to: wide + (o * pitch + q), pitch: pitch, accumulate: p > 0)
                }
            }
        }
    }

    // MARK: Weight gradient

    /// `gradWeight = ∂L/∂weight` for a geometry with `usesDirectBackwardWeight` (bias not
    /// included). Overwrites `gradWeight`; chunks of images sum partial gradients
    /// (`sumOverWeightGradientChunks`), so the result depends on the thread count only.
    static func backwardWeight(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradWeight: UnsafeMutablePointer<Float>
    ) {
        let m = g.outChannelsPerGroup, k = g.patchSize
        let lanes = RowProductLanes.scalarCount
        let perStep = max(1, chunkPositions / StackedLayout(g, images: 1, multiple: lanes).imagePositions)
        g.sumOverWeightGradientChunks(count: g.outChannels * k, into: gradWeight) { images, sum in
            KernelScratch.with { scratch in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { offsets in
                    for first in stride(from: images.lowerBound, to: images.upperBound, by: perStep) {
                        let count = min(perStep, images.upperBound - first)
                        let layout = StackedLayout(g, images: count, multiple: lanes)
                        layout.tapOffsets(g, into: offsets.baseAddress!)
                        let stacked = scratch.columns(count: layout.count)
                        let rows = scratch.packedB(count: m * layout.paddedPositions)
                        for group in 0..<g.groups {
                            layout.copy(g, into: stacked) { input + g.inputOffset(image: first + $0, group: group) }
                            layout.copyWide(g, rows: m, into: rows) { gradOutput + g.outputOffset(image: first + $0, group: group) }
                            accumulateRowProducts(
                                m: m, k: k, rows: rows, positions: layout.paddedPositions, stacked: stacked,
                                taps: offsets.baseAddress!, c: sum + group * m * k, accumulate: first != images.lowerBound)
                        }
                    }
                }
            }
        }
    }

    /// c[o·k + r] (+)= Σ_q rows[o·positions + q] · stacked[q + taps[r]] for o < m, r < k:
    /// tiles of 4 rows × `RowProductTile.taps` taps in vector accumulators, each reduced once at
    /// the end. `positions` is a multiple of the vector width.
    private static func accumulateRowProducts(
        m: Int, k: Int, rows: UnsafePointer<Float>, positions: Int, stacked: UnsafePointer<Float>,
        taps: UnsafePointer<Int>, c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let width = RowProductTile.taps, height = RowProductTile.rows
        for i in stride(from: 0, to: m, by: height) {
            // Rows and taps past the edge repeat the last one: the loop stays branch-free and
            // their sums are not stored.
            let a = (rows + min(i, m - 1) * positions, rows + min(i + 1, m - 1) * positions,
                     rows + min(i + 2, m - 1) * positions, rows + min(i + 3, m - 1) * positions)
            for j in stride(from: 0, to: k, by: width) {
                var tile = RowProductTile()
                tile.accumulate(a, stacked: stacked, taps: taps, first: j, last: k - 1, positions: positions)
                tile.reduce(into: c + i * k + j, ldc: k, rows: min(height, m - i), columns: min(width, k - j), accumulate: accumulate)
            }
        }
    }

    // MARK: Layout and tiles

    /// Where a chunk of images lives while it is convolved, for each channel of a group: a
    /// lead of zeros, then every image's rows one after another, each row `width` floats
    /// (the image row, then zeros) and each image `rows` rows (the image, then zero rows).
    /// The zeros after one row (image) are the padding both after it and before the next, so
    /// a tap (i, j) of output position q = (image·rows + oh)·width + ow reads
    /// `q + c·channelStride + i·dilationHeight·width + j·dilationWidth`.
    ///
    /// With a stride s > 1 each channel is split into phase planes first (input rows s·r + b
    /// for a phase b, and the same for columns), one plane per phase that some tap reads: tap i
    /// reads row s·(oh + a) + b of the input, with s·a + b = i·dilation − padding, that is row
    /// oh + a of phase plane b — again a constant shift of the output position.
    struct StackedLayout {
        /// How one axis maps onto phase planes.
        struct Axis {
            let stride: Int
            /// Each tap's phase (index into `phases`) and shift a.
            let tapPhase: [Int], tapShift: [Int]
            /// The phases b that taps read, and the input length of each phase plane.
            let phases: [Int], lengths: [Int]
            /// Zero rows/columns needed before the data (−min a) and the plane's pitch.
            let lead: Int, pitch: Int

            init(input: Int, output: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) {
                self.stride = stride
                var phase = [Int](), shift = [Int]()
                for i in 0..<kernel {
                    let t = i * dilation - padding
                    let a = t >= 0 ? t / stride : -((-t + stride - 1) / stride)
                    shift.append(a)
                    phase.append(t - stride * a)
                }
                let used = Array(Set(phase)).sorted()
                phases = used
                tapPhase = phase.map { used.firstIndex(of: $0)! }
                tapShift = shift
                lengths = phases.map { (input - $0 + stride - 1) / stride }
                lead = max(0, -(shift.min() ?? 0))
                // Reads left of the data land in the previous row's trailing zeros, reads right
                // of it in this row's: pitch ≥ data + lead and ≥ output + the largest shift.
                pitch = max(lengths.max()! + lead, output + (shift.max() ?? 0), output)
            }
        }

        let vertical: Axis, horizontal: Axis
        let width: Int, rows: Int, images: Int
        /// Zeros before a plane's first row: its top padding rows and left padding.
        let lead: Int
        /// Floats from one phase plane (of one channel) to the next, and planes per channel.
        let channelStride: Int, planesPerChannel: Int, channels: Int
        /// Positions from one image to the next, and positions that hold outputs: up to the
        /// last output row of the last image.
        let imagePositions: Int, positions: Int
        /// `positions` rounded up to whole tiles: the wide output's row pitch.
        let paddedPositions: Int
        /// Floats of the layout, including the zeros after it that tiles and taps reach.
        let count: Int

        init(_ g: Conv2dGeometry, images: Int, multiple: Int) {
            vertical = Axis(input: g.inHeight, output: g.outHeight, kernel: g.kernelHeight, stride: g.strideHeight,
                            padding: g.paddingHeight, dilation: g.dilationHeight)
            horizontal = Axis(input: g.inWidth, output: g.outWidth, kernel: g.kernelWidth, stride: g.strideWidth,
                              padding: g.paddingWidth, dilation: g.dilationWidth)
            width = horizontal.pitch
            rows = vertical.pitch
            self.images = images
            lead = vertical.lead * width + horizontal.lead
            imagePositions = rows * width
            channelStride = lead + images * imagePositions
            planesPerChannel = vertical.phases.count * horizontal.phases.count
            channels = g.inChannelsPerGroup
            positions = ((images - 1) * rows + g.outHeight) * width
            paddedPositions = (positions + multiple - 1) / multiple * multiple
            let planes = channels * planesPerChannel
            let reach = lead + vertical.tapShift.max()! * width + horizontal.tapShift.max()!
            count = max(planes * channelStride, (planes - 1) * channelStride + reach + paddedPositions)
        }

        /// offsets[r] for every tap r = (c, i, j) of the patch, in im2col's order.
        func tapOffsets(_ g: Conv2dGeometry, into offsets: UnsafeMutablePointer<Int>) {
            var r = 0
            for c in 0..<channels {
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let plane = (c * vertical.phases.count + vertical.tapPhase[i]) * horizontal.phases.count
                            + horizontal.tapPhase[j]
                        offsets[r] = plane * channelStride + lead + vertical.tapShift[i] * width + horizontal.tapShift[j]
                        r += 1
                    }
                }
            }
        }

        /// Copies the group's channels of `images` images (`image(s)`: channel 0 of the s-th)
        /// into `stacked`, zeros included.
        func copy(_ g: Conv2dGeometry, into stacked: UnsafeMutablePointer<Float>, image: (Int) -> UnsafePointer<Float>) {
            let w = g.inWidth
            var plane = stacked
            for c in 0..<channels {
                for (bh, height) in zip(vertical.phases, vertical.lengths) {
                    for (bw, length) in zip(horizontal.phases, horizontal.lengths) {
                        zeroRun(lead, plane)
                        for s in 0..<images {
                            let source = image(s) + c * g.inPlane
                            var row = plane + lead + s * imagePositions
                            for r in 0..<height {
                                let from = source + (vertical.stride * r + bh) * w + bw
                                if horizontal.stride == 1 {
                                    copyRun(length, from: from, to: row)
                                } else {
                                    copyStrided(length, stride: horizontal.stride, available: w - bw, from: from, to: row)
                                }
                                zeroRun(width - length, row + length)
                                row += width
                            }
                            zeroRun((rows - height) * width, row)
                        }
                        plane += channelStride
                    }
                }
            }
            zeroRun(count - channels * planesPerChannel * channelStride, stacked + channels * planesPerChannel * channelStride)
        }

        /// row[x] = from[stride·x] for x < count, where `available` floats may be read from `from`:
        /// stride 2 as vector loads of 16 floats and their even lanes.
        private func copyStrided(_ count: Int, stride: Int, available: Int, from: UnsafePointer<Float>,
                                 to row: UnsafeMutablePointer<Float>) {
            var x = 0
            if stride == 2 {
                while 2 * x + 16 <= available && x + 8 <= count {
                    let pair = UnsafeRawPointer(from + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
                    storeVector(pair.evenHalf, row + x)
                    x += 8
                }
            }
            while x < count {
                row[x] = from[stride * x]
                x += 1
            }
        }

        /// Lays out `rows` output rows (channels) of gradOutput wide, `paddedPositions` apart:
        /// outputs at their positions, zeros at every dropped one.
        func copyWide(_ g: Conv2dGeometry, rows outputs: Int, into wide: UnsafeMutablePointer<Float>,
                      image: (Int) -> UnsafePointer<Float>) {
            for o in 0..<outputs {
                var row = wide + o * paddedPositions
                for s in 0..<images {
                    let source = image(s) + o * g.outPlane
                    for oh in 0..<g.outHeight {
                        copyRun(g.outWidth, from: source + oh * g.outWidth, to: row)
                        zeroRun(width - g.outWidth, row + g.outWidth)
                        row += width
                    }
                    if s < images - 1 {
                        zeroRun((rows - g.outHeight) * width, row)
                        row += (rows - g.outHeight) * width
                    }
                }
                zeroRun(paddedPositions - positions, row)
            }
        }
    }

    #if SWIFTLET_AVX512
    /// An 8-filter × 32-position block of the wide output in sixteen 16-lane accumulators.
    private struct Tile {
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>(), c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>(), c61 = SIMD16<Float>(), c70 = SIMD16<Float>(), c71 = SIMD16<Float>()

        /// tile += w ⊗ x for one tap: 32 shifted pixels `x` and the tap's weight in 8 filters `w`.
        @inline(__always)
        mutating func addTap(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>) {
            let x0 = GEMMPairKernel.load(x), x1 = GEMMPairKernel.load(x + 16)
            var b = SIMD16<Float>(repeating: w[0])
            c00.addProduct(b, x0); c01.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[1])
            c10.addProduct(b, x0); c11.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[2])
            c20.addProduct(b, x0); c21.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[3])
            c30.addProduct(b, x0); c31.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[4])
            c40.addProduct(b, x0); c41.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[5])
            c50.addProduct(b, x0); c51.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[6])
            c60.addProduct(b, x0); c61.addProduct(b, x1)
            b = SIMD16<Float>(repeating: w[7])
            c70.addProduct(b, x0); c71.addProduct(b, x1)
        }

        @inline(__always)
        func store(to p: UnsafeMutablePointer<Float>, pitch: Int, accumulate: Bool) {
            Self.storeRow(c00, c01, to: p, accumulate: accumulate)
            Self.storeRow(c10, c11, to: p + pitch, accumulate: accumulate)
            Self.storeRow(c20, c21, to: p + 2 * pitch, accumulate: accumulate)
            Self.storeRow(c30, c31, to: p + 3 * pitch, accumulate: accumulate)
            Self.storeRow(c40, c41, to: p + 4 * pitch, accumulate: accumulate)
            Self.storeRow(c50, c51, to: p + 5 * pitch, accumulate: accumulate)
            Self.storeRow(c60, c61, to: p + 6 * pitch, accumulate: accumulate)
            Self.storeRow(c70, c71, to: p + 7 * pitch, accumulate: accumulate)
        }

        @inline(__always)
        private static func storeRow(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, accumulate: Bool) {
            if accumulate {
                GEMMPairKernel.store(GEMMPairKernel.load(p) + v0, p)
                GEMMPairKernel.store(GEMMPairKernel.load(p + 16) + v1, p + 16)
            } else {
                GEMMPairKernel.store(v0, p)
                GEMMPairKernel.store(v1, p + 16)
            }
        }
    }
    #else
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
    #endif
}

#if SWIFTLET_AVX512
/// The vector the weight gradient's dot products accumulate in.
typealias RowProductLanes = SIMD16<Float>

/// A 4-row × 4-tap block of weight-gradient dot products: sixteen 16-lane partial sums, eight
/// loads per sixteen FMAs (21 of the 32 zmm registers).
private struct RowProductTile {
    static let rows = 4, taps = 4
    var s00 = RowProductLanes(), s01 = RowProductLanes(), s02 = RowProductLanes(), s03 = RowProductLanes()
    var s10 = RowProductLanes(), s11 = RowProductLanes(), s12 = RowProductLanes(), s13 = RowProductLanes()
    var s20 = RowProductLanes(), s21 = RowProductLanes(), s22 = RowProductLanes(), s23 = RowProductLanes()
    var s30 = RowProductLanes(), s31 = RowProductLanes(), s32 = RowProductLanes(), s33 = RowProductLanes()

    @inline(__always)
    mutating func accumulate(
        _ a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        stacked: UnsafePointer<Float>, taps: UnsafePointer<Int>, first j: Int, last: Int, positions: Int
    ) {
        let b0 = stacked + taps[j], b1 = stacked + taps[min(j + 1, last)]
        let b2 = stacked + taps[min(j + 2, last)], b3 = stacked + taps[min(j + 3, last)]
        var q = 0
        while q < positions {
            let x0 = loadLanes(b0 + q), x1 = loadLanes(b1 + q), x2 = loadLanes(b2 + q), x3 = loadLanes(b3 + q)
            var y = loadLanes(a.0 + q)
            s00.addProduct(y, x0); s01.addProduct(y, x1); s02.addProduct(y, x2); s03.addProduct(y, x3)
            y = loadLanes(a.1 + q)
            s10.addProduct(y, x0); s11.addProduct(y, x1); s12.addProduct(y, x2); s13.addProduct(y, x3)
            y = loadLanes(a.2 + q)
            s20.addProduct(y, x0); s21.addProduct(y, x1); s22.addProduct(y, x2); s23.addProduct(y, x3)
            y = loadLanes(a.3 + q)
            s30.addProduct(y, x0); s31.addProduct(y, x1); s32.addProduct(y, x2); s33.addProduct(y, x3)
            q += RowProductLanes.scalarCount
        }
    }
}
#else
typealias RowProductLanes = SIMD8<Float>

/// A 3-row × 3-tap block of weight-gradient dot products: nine 8-lane partial sums, six loads
/// per nine FMAs (thirteen of the sixteen ymm registers; 4 × 3 would need all sixteen and spill).
private struct RowProductTile {
    static let rows = 3, taps = 3
    var s00 = RowProductLanes(), s01 = RowProductLanes(), s02 = RowProductLanes()
    var s10 = RowProductLanes(), s11 = RowProductLanes(), s12 = RowProductLanes()
    var s20 = RowProductLanes(), s21 = RowProductLanes(), s22 = RowProductLanes()

    @inline(__always)
    mutating func accumulate(
        _ a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
        stacked: UnsafePointer<Float>, taps: UnsafePointer<Int>, first j: Int, last: Int, positions: Int
    ) {
        let b0 = stacked + taps[j], b1 = stacked + taps[min(j + 1, last)], b2 = stacked + taps[min(j + 2, last)]
        var q = 0
        while q < positions {
            let x0 = loadLanes(b0 + q), x1 = loadLanes(b1 + q), x2 = loadLanes(b2 + q)
            var y = loadLanes(a.0 + q)
            s00.addProduct(y, x0); s01.addProduct(y, x1); s02.addProduct(y, x2)
            y = loadLanes(a.1 + q)
            s10.addProduct(y, x0); s11.addProduct(y, x1); s12.addProduct(y, x2)
            y = loadLanes(a.2 + q)
            s20.addProduct(y, x0); s21.addProduct(y, x1); s22.addProduct(y, x2)
            q += RowProductLanes.scalarCount
        }
    }
}
#endif

extension RowProductTile {
    /// Adds (or, unless `accumulate`, writes) each partial sum's total to its element of C.
    @inline(__always)
    func reduce(into c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool) {
        withUnsafeBytes(of: self) { raw in
            for r in 0..<rows {
                for t in 0..<columns {
                    let total = raw.load(fromByteOffset: (r * Self.taps + t) * MemoryLayout<RowProductLanes>.stride,
                                         as: RowProductLanes.self).sum()
                    let target = c + r * ldc + t
                    target.pointee = accumulate ? target.pointee + total : total
                }
            }
        }
    }
}

@inline(__always)
private func loadLanes(_ p: UnsafePointer<Float>) -> RowProductLanes {
    UnsafeRawPointer(p).loadUnaligned(as: RowProductLanes.self)
}
