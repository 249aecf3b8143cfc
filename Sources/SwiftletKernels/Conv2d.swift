// Convolution as matrix multiplication: each image's group is unfolded by `im2col` into a
// [patchSize, outPlane] matrix, so that the layer becomes one sgemm per image and group.
// Images are independent, so the batch is split across threads; each thread runs its
// sgemm calls serially (sgemm does so inside a parallel job) on its own scratch.

extension Conv2dGeometry {
    /// A 1×1, stride-1, unpadded convolution reads its input plane as the im2col matrix itself.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && paddingHeight == 0 && paddingWidth == 0
    }

    /// Stride 1 without padding (any dilation): every kernel tap reads full rows of pixels,
    /// the case of every CNN here, which im2col and col2im copy without range arithmetic.
    var isUnpaddedStrideOne: Bool {
        strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0
    }
}

/// `output = conv(input, weight) + bias` (bias optional, one value per output channel).
/// Overwrites `output`.
public func conv2dForward(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
) {
    precondition(g.isValid, "conv2dForward: invalid geometry \(g)")
    let outPerGroup = g.outChannelsPerGroup, patch = g.patchSize, outPlane = g.outPlane
    Parallel.forRanges(g.batch) { images in
        KernelScratch.with { scratch in
            let col = scratch.columns(count: patch * outPlane)
            for n in images {
                for group in 0..<g.groups {
                    let image = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                    let out = output + (n * g.outChannels + group * outPerGroup) * outPlane
                    if !g.isPointwise { im2col(g, image: image, col: col) }
                    sgemm(transA: false, transB: false, m: outPerGroup, n: outPlane, k: patch,
                          alpha: 1, a: weight + group * outPerGroup * patch, lda: patch,
                          b: g.isPointwise ? image : UnsafePointer(col), ldb: outPlane,
                          beta: 0, c: out, ldc: outPlane)
                }
                if let bias {
                    for o in 0..<g.outChannels {
                        let plane = output + (n * g.outChannels + o) * outPlane
                        let value = bias[o]
                        for p in 0..<outPlane { plane[p] += value }
                    }
                }
            }
        }
    }
}

/// `gradInput = ∂L/∂input` given `gradOutput = ∂L/∂output`. Overwrites `gradInput`.
public func conv2dBackwardInput(
    _ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>
) {
    precondition(g.isValid, "conv2dBackwardInput: invalid geometry \(g)")
    let outPerGroup = g.outChannelsPerGroup, patch = g.patchSize, outPlane = g.outPlane
    Parallel.forRanges(g.batch) { images in
        KernelScratch.with { scratch in
            let col = scratch.columns(count: patch * outPlane)
            for n in images {
                for group in 0..<g.groups {
                    let image = gradInput + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                    // col = weightᵀ · gradOutput: the gradient of every im2col entry.
                    sgemm(transA: true, transB: false, m: patch, n: outPlane, k: outPerGroup,
                          alpha: 1, a: weight + group * outPerGroup * patch, lda: patch,
                          b: gradOutput + (n * g.outChannels + group * outPerGroup) * outPlane, ldb: outPlane,
                          beta: 0, c: g.isPointwise ? image : col, ldc: outPlane)
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
    let outPerGroup = g.outChannelsPerGroup, patch = g.patchSize, outPlane = g.outPlane
    let weightCount = g.outChannels * patch
    let chunks = max(1, min(Parallel.threads, g.batch))
    KernelScratch.with { reduction in
        // Each chunk of images accumulates its own partial gradient; chunk 0 writes straight
        // into gradWeight and the others are summed into it afterwards.
        let partials = reduction.partials(count: (chunks - 1) * weightCount)
        Parallel.forEach(chunks) { chunk in
            let images = (g.batch * chunk / chunks)..<(g.batch * (chunk + 1) / chunks)
            let sum = chunk == 0 ? gradWeight : partials + (chunk - 1) * weightCount
            KernelScratch.with { scratch in
                let col = scratch.columns(count: patch * outPlane)
                for n in images {
                    for group in 0..<g.groups {
                        let image = input + (n * g.inChannels + group * g.inChannelsPerGroup) * g.inPlane
                        if !g.isPointwise { im2col(g, image: image, col: col) }
                        // gradWeight_group += gradOutput_group · colᵀ
                        sgemm(transA: false, transB: true, m: outPerGroup, n: patch, k: outPlane,
                              alpha: 1, a: gradOutput + (n * g.outChannels + group * outPerGroup) * outPlane,
                              lda: outPlane, b: g.isPointwise ? image : UnsafePointer(col), ldb: outPlane,
                              beta: n == images.lowerBound ? 0 : 1, c: sum + group * outPerGroup * patch, ldc: patch)
                    }
                }
            }
        }
        for chunk in 1..<chunks {
            addRun(weightCount, from: partials + (chunk - 1) * weightCount, to: gradWeight)
        }
    }
    if let gradBias {
        for o in 0..<g.outChannels {
            var total: Float = 0
            for n in 0..<g.batch {
                total += sumRun(outPlane, gradOutput + (n * g.outChannels + o) * outPlane)
            }
            gradBias[o] = total
        }
    }
}
