// Batch-normalisation kernels on an [N, C, S] layout (S: the spatial size, 1 for [N, C]).
// Channels are independent, so they are spread over threads; within a channel every sum runs
// in the same order (eight vector lanes, then their total) on any thread count, so results
// do not depend on it.

/// Where channel `c` of image `n` starts, and how many values a channel has per image.
public struct ChannelLayout {
    public let batch: Int
    public let channels: Int
    public let spatial: Int

    public init(batch: Int, channels: Int, spatial: Int) {
        self.batch = batch
        self.channels = channels
        self.spatial = spatial
    }

    /// Values per channel over the batch.
    public var perChannel: Int { batch * spatial }

    @inline(__always)
    func start(image n: Int, channel c: Int) -> Int { (n &* channels &+ c) &* spatial }
}

/// Per-channel batch mean and biased variance, accumulated in Double (two passes: the mean,
/// then squared deviations from it).
public func batchNormStatistics(
    _ layout: ChannelLayout, input x: UnsafePointer<Float>,
    mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>
) {
    let count = Double(layout.perChannel)
    Parallel.forRanges(layout.channels) { channels in
        for c in channels {
            var sum = LaneSums()
            for n in 0..<layout.batch { sum.add(layout.spatial, x + layout.start(image: n, channel: c)) }
            let mu = sum.total / count
            var squares = LaneSums()
            for n in 0..<layout.batch {
                squares.addSquaredDeviations(layout.spatial, x + layout.start(image: n, channel: c), from: mu)
            }
            mean[c] = mu
            variance[c] = squares.total / count
        }
    }
}

/// A Double sum kept in eight vector lanes (plus one for leftovers), so that a long run costs
/// one vector addition per eight values instead of a chain of dependent scalar additions.
private struct LaneSums {
    private var lanes = SIMD8<Double>()
    private var rest: Double = 0

    var total: Double { lanes.sum() + rest }

    mutating func add(_ count: Int, _ values: UnsafePointer<Float>) {
        var i = 0
        while i + 8 <= count {
            lanes += SIMD8<Double>(loadVector(values + i))
            i += 8
        }
        while i < count {
            rest += Double(values[i])
            i += 1
        }
    }

    mutating func addSquaredDeviations(_ count: Int, _ values: UnsafePointer<Float>, from mean: Double) {
        let mu = SIMD8<Double>(repeating: mean)
        var i = 0
        while i + 8 <= count {
            let d = SIMD8<Double>(loadVector(values + i)) - mu
            lanes.addProduct(d, d)
            i += 8
        }
        while i < count {
            let d = Double(values[i]) - mean
            rest += d * d
            i += 1
        }
    }
}

/// y = γ_c·x̂ + β_c into `output`, where x̂ = (x − μ_c)·inverseStd_c (γ = 1, β = 0 where not
/// given). x̂ is not stored: `batchNormBackward` recomputes it from x with the same two
/// operations, which costs less than writing it here and reading it back there.
public func batchNormForward(
    _ layout: ChannelLayout, input x: UnsafePointer<Float>, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
) {
    Parallel.forRanges(layout.channels) { channels in
        for c in channels {
            let mu = mean[c], scale = inverseStd[c], g = gamma?[c] ?? 1, b = beta?[c] ?? 0
            let muV = SIMD8<Float>(repeating: mu), scaleV = SIMD8<Float>(repeating: scale)
            let gV = SIMD8<Float>(repeating: g), bV = SIMD8<Float>(repeating: b)
            for n in 0..<layout.batch {
                let start = layout.start(image: n, channel: c)
                let source = x + start, y = output + start
                var i = 0
                while i + 8 <= layout.spatial {
                    let xHat = (loadVector(source + i) - muV) * scaleV
                    storeVector(gV * xHat + bV, y + i)
                    i += 8
                }
                while i < layout.spatial {
                    let xHat = (source[i] - mu) * scale
                    y[i] = g * xHat + b
                    i += 1
                }
            }
        }
    }
}

/// Gradients of `batchNormForward` given dy: ∂L/∂γ_c = Σ dy·x̂, ∂L/∂β_c = Σ dy, and ∂L/∂x —
/// in training (batch statistics) γ·inverseStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), in evaluation
/// (running statistics, x̂ affine in x) γ·inverseStd·dy. x̂ = (x − μ)·inverseStd is recomputed
/// from the forward input, exactly as the forward pass computed it.
public func batchNormBackward(
    _ layout: ChannelLayout, gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, inverseStd: UnsafePointer<Float>, training: Bool,
    gradInput: UnsafeMutablePointer<Float>, gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>
) {
    let m = Float(layout.perChannel)
    Parallel.forRanges(layout.channels) { channels in
        for c in channels {
            let mu = mean[c], inverse = inverseStd[c]
            let muV = SIMD8<Float>(repeating: mu), inverseV = SIMD8<Float>(repeating: inverse)
            // Eight lanes of partial sums, as in `LaneSums`.
            var dyLanes = SIMD8<Float>(), dyXhatLanes = SIMD8<Float>()
            var sumDy: Float = 0, sumDyXhat: Float = 0
            for n in 0..<layout.batch {
                let start = layout.start(image: n, channel: c)
                let g = dy + start, source = x + start
                var i = 0
                while i + 8 <= layout.spatial {
                    let gv = loadVector(g + i)
                    dyLanes += gv
                    dyXhatLanes.addProduct(gv, (loadVector(source + i) - muV) * inverseV)
                    i += 8
                }
                while i < layout.spatial {
                    sumDy += g[i]
                    sumDyXhat += g[i] * ((source[i] - mu) * inverse)
                    i += 1
                }
            }
            sumDy += dyLanes.sum()
            sumDyXhat += dyXhatLanes.sum()
            // ANCHOR: batch-norm-sums
            gradWeight[c] = sumDyXhat
            gradBias[c] = sumDy
            let scale = (gamma?[c] ?? 1) * inverse
            let meanDy = sumDy / m, meanDyXhat = sumDyXhat / m
            // ANCHOR_END: batch-norm-sums
            let scaleV = SIMD8<Float>(repeating: scale), meanDyV = SIMD8<Float>(repeating: meanDy)
            let meanDyXhatV = SIMD8<Float>(repeating: meanDyXhat)
            for n in 0..<layout.batch {
                let start = layout.start(image: n, channel: c)
                let g = dy + start, source = x + start, gx = gradInput + start
                var i = 0
                if training {
                    while i + 8 <= layout.spatial {
                        let xHat = (loadVector(source + i) - muV) * inverseV
                        storeVector(scaleV * (loadVector(g + i) - meanDyV - xHat * meanDyXhatV), gx + i)
                        i += 8
                    }
                    // ANCHOR: batch-norm-input
                    while i < layout.spatial {
                        let xHat = (source[i] - mu) * inverse
                        gx[i] = scale * (g[i] - meanDy - xHat * meanDyXhat)
                        i += 1
                    }
                    // ANCHOR_END: batch-norm-input
                } else {
                    while i + 8 <= layout.spatial {
                        storeVector(scaleV * loadVector(g + i), gx + i)
                        i += 8
                    }
                    while i < layout.spatial {
                        gx[i] = scale * g[i]
                        i += 1
                    }
                }
            }
        }
    }
}
