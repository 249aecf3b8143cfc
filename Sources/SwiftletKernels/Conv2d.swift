// Convolution as matrix multiplication, per image and group (llm.c-style shape comments:
// M = outChannelsPerGroup, K = patchSize, P = outPlane):
//   forward          output[M, P]  = weight[M, K] · col[K, P]
//   backward input   col[K, P]     = weightᵀ[K, M] · gradOutput[M, P], then col2im
//   backward weight  gradW[M, K]  += gradOutput[M, P] · colᵀ[P, K]
// where col is the im2col matrix of the image (the weight gradient of large planes is
// computed as row dot products, `multiplyRowsByRows`, which needs no transposed col). The weights are packed once per call
// (or come prepared: `Conv2dForwardWeights`) and shared by all threads; images are handed out to threads one at a time (the weight
// gradient: in chunks with a partial sum each), and every thread runs single-threaded
// products (`PackedProduct`) on its own scratch. In the common unpadded stride-1 case the
// im2col matrix is written directly in packed form. The forward pass of stride-1 layers with
// at most 16 filters skips im2col altogether (`DirectConvolution`), and 3×3 padding-1 layers
// with at least 32 channels run all three passes as Winograd F(2×2, 3×3) (`WinogradConvolution`).

extension Conv2dGeometry {
    /// A 1×1, stride-1, unpadded convolution: the input plane is the im2col matrix itself.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && isUnpaddedStrideOne
    }

    /// Stride 1 without padding (any dilation): every kernel tap reads full rows of pixels,
    /// the case of every CNN here, which im2col and col2im copy without range arithmetic.
    var isUnpaddedStrideOne: Bool {
        strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0
    }

    /// Whether im2col is written straight into packed panels (`im2colPanels`): for unpadded
    /// stride-1 geometries whose output rows are whole 8-pixel vectors. Other widths break
    /// into short pieces at panel boundaries, and a plain im2col (row copies) followed by
    /// packing is faster.
    var writesPanelsDirectly: Bool { isUnpaddedStrideOne && outWidth % 8 == 0 }

    /// Whether the weight gradient is better computed as dot products of gradOutput rows
    /// with im2col rows (`multiplyRowsByRows`) than as a packed product, which must
    /// transpose the im2col matrix: so when output planes are long enough to amortise the
    /// final reduction of each dot product (the first layers of every CNN here). Measured
    /// with `swiftlet bench --only conv`: at 16×16 planes the packed product is faster
    /// (cifar-vgg conv3/conv4: 91 against 78 GFLOP/s), at 32×32 the dot products (87 against 72).
    var prefersRowDotProducts: Bool { outPlane >= 512 }

    /// Chunks of images the weight gradient is split into, each summing a partial gradient
    /// (every path adds them in chunk order, so a result depends on the thread count only):
    /// one on one thread, else four per thread while the batch allows, so that a thread that
    /// starts late (on a busy machine) still takes a share.
    var weightGradientChunks: Int { Parallel.threads == 1 ? 1 : min(batch, 4 * Parallel.threads) }

    /// The weight gradient's reduction, shared by its paths: `partial(images, sum)` runs for
    /// each of the `weightGradientChunks` chunks of the batch (never empty: at most one per
    /// image), on the kernel threads, and must overwrite the `count` floats at `sum` with its
    /// chunk's gradient; chunk 0 writes straight into `result` and the others' partials are
    /// added to it in chunk order.
    func sumOverWeightGradientChunks(
        count: Int, into result: UnsafeMutablePointer<Float>,
        _ partial: (_ images: Range<Int>, _ sum: UnsafeMutablePointer<Float>) -> Void
    ) {
        let chunks = weightGradientChunks
        KernelScratch.with { reduction in
            let partials = reduction.partials(count: (chunks - 1) * count)
            Parallel.forEach(chunks) { chunk in
                partial((batch * chunk / chunks)..<(batch * (chunk + 1) / chunks),
                        chunk == 0 ? result : partials + (chunk - 1) * count)
            }
            for chunk in 1..<chunks { addRun(count, from: partials + (chunk - 1) * count, to: result) }
        }
    }

    /// Offset of group `group` of image `n` in the input (or gradInput).
    func inputOffset(image n: Int, group: Int) -> Int {
        (n * inChannels + group * inChannelsPerGroup) * inPlane
    }

    /// Offset of group `group` of image `n` in the output (or gradOutput).
    func outputOffset(image n: Int, group: Int) -> Int {
        (n * outChannels + group * outChannelsPerGroup) * outPlane
    }
}

/// Floats of every group's weight matrix packed by `packGroupWeights`.
func groupWeightsCount(_ g: Conv2dGeometry, transposed: Bool) -> Int {
    let (rows, depth) = transposed ? (g.patchSize, g.outChannelsPerGroup) : (g.outChannelsPerGroup, g.patchSize)
    return g.groups * PackedProduct.packedACount(m: rows, k: depth)
}

/// Every group's [outChannelsPerGroup, patchSize] weight matrix packed once for the whole
/// batch, as is (forward: W·col) or transposed (backward input: Wᵀ·gradOutput), one after another.
func packGroupWeights(
    _ g: Conv2dGeometry, _ weight: UnsafePointer<Float>, transposed: Bool, into packed: UnsafeMutablePointer<Float>
) {
    let (rows, depth) = transposed ? (g.patchSize, g.outChannelsPerGroup) : (g.outChannelsPerGroup, g.patchSize)
    let count = PackedProduct.packedACount(m: rows, k: depth)
    for group in 0..<g.groups {
        PackedProduct.packA(weight + group * g.outChannelsPerGroup * g.patchSize, lda: g.patchSize, transposed: transposed,
                            m: rows, k: depth, into: packed + group * count)
    }
}

/// `output = conv(input, weight) + bias` (bias optional, one value per output channel), plus
/// `residual` (a tensor of the convolution's output shape) when given, then max-pooled by
/// `pooling` when given, then `max(·, 0)` when `applyingReLU`. Overwrites `output`, which
/// holds the pooled result when pooling (`pooling` describes the pooling of the convolution's
/// output: its batch, channels and input size must be the convolution's output's). Stride-1
/// layers with few filters skip im2col (`DirectConvolution`); both paths give bit-identical
/// results. 3×3 padding-1 layers with many channels run as Winograd convolutions
/// (`WinogradConvolution`), whose results differ from those in the last bits. The residual,
/// pooling and ReLU here give what they give as passes of their own (ReLU and max pooling
/// commute exactly).
///
/// `preparedWeights`, when given, must have been made from `weight` for a geometry it `fits`:
/// the call then skips putting the weights into the form its path multiplies with.
public func conv2dForward(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil,
    applyingReLU: Bool = false, pooling: Pool2dGeometry? = nil, preparedWeights: Conv2dForwardWeights? = nil
) {
    precondition(g.isValid, "conv2dForward: invalid geometry \(g)")
    precondition(preparedWeights?.fits(g) ?? true, "conv2dForward: prepared weights do not fit \(g)")
    if let pooling {
        precondition(
            pooling.isValid && pooling.batch == g.batch && pooling.channels == g.outChannels
                && pooling.inHeight == g.outHeight && pooling.inWidth == g.outWidth,
            "conv2dForward: pooling \(pooling) does not fit the output of \(g)")
    }
    let imageOutput = g.outChannels * g.outPlane
    KernelScratch.with { scratch in
        // With pooling the convolution's output only passes through scratch memory: each image
        // is pooled while it is still in cache, and the full-size output is never read back.
        let convolved = pooling == nil ? output : scratch.convolved(count: g.batch * imageOutput)
        // The bias, residual, pooling and ReLU are applied image by image, while the image's
        // output is still in cache: a separate pass over a whole batch's output would read it
        // back from memory.
        let finish = { (n: Int) in
            let image = convolved + n * imageOutput
            if let bias {
                for o in 0..<g.outChannels {
                    let plane = image + o * g.outPlane, value = bias[o]
                    for q in 0..<g.outPlane { plane[q] += value }
                }
            }
            if let residual { addRun(imageOutput, from: residual + n * imageOutput, to: image) }
            var result = image, count = imageOutput
            if var imagePooling = pooling {
                imagePooling.batch = 1
                count = g.outChannels * imagePooling.outPlane
                result = output + n * count
                maxPool2dForward(imagePooling, input: image, output: result, argmax: nil)
            }
            if applyingReLU { reluForward(count: count, input: result, output: result) }
        }
        let path = Conv2dForwardPath(g)
        if let preparedWeights {
            path.forward(g, input: input, preparedWeights: preparedWeights.values, output: convolved, perImage: finish)
        } else {
            path.forward(g, input: input, weight: weight, output: convolved, perImage: finish)
        }
    }
}

/// The forward convolution as im2col and a packed product per image and group.
func conv2dForwardByProduct(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, preparedWeights packedWeights: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
) {
    let m = g.outChannelsPerGroup, k = g.patchSize, p = g.outPlane
    let weightsCount = PackedProduct.packedACount(m: m, k: k)
    Parallel.forEach(g.batch) { n in
        KernelScratch.with { scratch in
            let packedColumns = scratch.packedB(count: PackedProduct.packedBCount(k: k, n: p))
            let col = scratch.columns(count: g.writesPanelsDirectly ? 0 : k * p)
            for group in 0..<g.groups {
                let image = input + g.inputOffset(image: n, group: group)
                if g.writesPanelsDirectly {
                    im2colPanels(g, image: image, packed: packedColumns)
                } else {
                    im2col(g, image: image, col: col)
                    PackedProduct.packB(col, ldb: p, transposed: false, k: k, n: p, into: packedColumns)
                }
                let weights = packedWeights + group * weightsCount, c = output + g.outputOffset(image: n, group: group)
                if g.batch == 1 {  // one image leaves the other threads nothing else to do
                    PackedProduct.multiplySharingColumns(m: m, n: p, k: k, packedA: weights, packedB: packedColumns, c: c, ldc: p,
                                                         accumulate: false)
                } else {
                    PackedProduct.multiply(m: m, n: p, k: k, packedA: weights, packedB: packedColumns, c: c, ldc: p, accumulate: false)
                }
            }
            finish(n)
        }
    }
}

/// `gradInput = ∂L/∂input` given `gradOutput = ∂L/∂output`. Overwrites `gradInput`.
public func conv2dBackwardInput(
    _ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>
) {
    precondition(g.isValid, "conv2dBackwardInput: invalid geometry \(g)")
    if g.usesWinograd {
        return WinogradConvolution.backwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
    }
    if g.usesDirectBackwardInput {
        return DirectConvolution.backwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
    }
    let m = g.outChannelsPerGroup, k = g.patchSize, p = g.outPlane
    let weightsCount = PackedProduct.packedACount(m: k, k: m)
    KernelScratch.with { shared in
        let packedWeights = shared.packedA(count: groupWeightsCount(g, transposed: true))
        packGroupWeights(g, weight, transposed: true, into: packedWeights)
        Parallel.forEach(g.batch) { n in
            KernelScratch.with { scratch in
                let packedGradient = scratch.packedB(count: PackedProduct.packedBCount(k: m, n: p))
                let col = scratch.columns(count: g.isPointwise ? 0 : k * p)
                for group in 0..<g.groups {
                    let image = gradInput + g.inputOffset(image: n, group: group)
                    PackedProduct.packB(gradOutput + g.outputOffset(image: n, group: group), ldb: p,
                                        transposed: false, k: m, n: p, into: packedGradient)
                    // col = weightᵀ · gradOutput: the gradient of every im2col entry.
                    PackedProduct.multiply(
                        m: k, n: p, k: m, packedA: packedWeights + group * weightsCount,
                        packedB: packedGradient, c: g.isPointwise ? image : col, ldc: p, accumulate: false)
                    if !g.isPointwise {
                        zeroRun(g.inChannelsPerGroup * g.inPlane, image)
                        col2imAccumulate(g, col: col, image: image)
                    }
                }
            }
        }
    }
}

/// `gradWeight = ∂L/∂weight` and, when `gradBias` is non-nil, `gradBias` = the sum of
/// `gradOutput` over batch and space for each output channel. Overwrites both.
public func conv2dBackwardWeight(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?
) {
    precondition(g.isValid, "conv2dBackwardWeight: invalid geometry \(g)")
    let m = g.outChannelsPerGroup, k = g.patchSize, p = g.outPlane
    if let gradBias { sumBiasGradient(g, gradOutput: gradOutput, gradBias: gradBias) }
    if g.usesWinograd {
        return WinogradConvolution.backwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: gradWeight)
    }
    if g.usesDirectBackwardWeight {
        return DirectConvolution.backwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: gradWeight)
    }
    g.sumOverWeightGradientChunks(count: g.outChannels * k, into: gradWeight) { images, sum in
        KernelScratch.with { scratch in
            if g.prefersRowDotProducts {
                let col = scratch.columns(count: g.isPointwise ? 0 : k * p)
                for n in images {
                    for group in 0..<g.groups {
                        let image = input + g.inputOffset(image: n, group: group)
                        if !g.isPointwise { im2col(g, image: image, col: col) }
                        multiplyRowsByRows(
                            m: m, n: k, k: p, a: gradOutput + g.outputOffset(image: n, group: group), lda: p,
                            b: g.isPointwise ? image : UnsafePointer(col), ldb: p,
                            c: sum + group * m * k, ldc: k, accumulate: n != images.lowerBound)
                    }
                }
                return
            }
            let packedGradient = scratch.packedA(count: PackedProduct.packedACount(m: m, k: p))
            let packedRows = scratch.packedB(count: PackedProduct.packedBCount(k: p, n: k))
            let col = scratch.columns(count: g.isUnpaddedStrideOne ? 0 : k * p)
            for n in images {
                for group in 0..<g.groups {
                    let image = input + g.inputOffset(image: n, group: group)
                    PackedProduct.packA(gradOutput + g.outputOffset(image: n, group: group), lda: p,
                                        transposed: false, m: m, k: p, into: packedGradient)
                    if g.isUnpaddedStrideOne {
                        im2rowPanels(g, image: image, packed: packedRows)
                    } else {
                        im2col(g, image: image, col: col)
                        PackedProduct.packB(col, ldb: p, transposed: true, k: p, n: k, into: packedRows)
                    }
                    // gradWeight_group += gradOutput_group · colᵀ
                    PackedProduct.multiply(
                        m: m, n: k, k: p, packedA: packedGradient, packedB: packedRows,
                        c: sum + group * m * k, ldc: k, accumulate: n != images.lowerBound)
                }
            }
        }
    }
}

/// gradBias[o] = the sum of gradOutput over batch and space for output channel o: each
/// channel's image planes in image order, channels spread over threads and read image by image
/// (`ChannelLayout.forEachRun`).
private func sumBiasGradient(_ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, gradBias: UnsafeMutablePointer<Float>) {
    let layout = ChannelLayout(batch: g.batch, channels: g.outChannels, spatial: g.outPlane)
    Parallel.forRanges(g.outChannels) { channels in
        for o in channels { gradBias[o] = 0 }
        layout.forEachRun(channels) { o, start in gradBias[o] += sumRun(layout.spatial, gradOutput + start) }
    }
}
