// 2-D convolution through im2col + GEMM, parallel over the images of the batch: each
// thread takes a contiguous range of images with its own column scratch (one allocation
// per thread per call) and runs single-threaded GEMMs. Work is split the same way on
// every call, and per-thread weight gradients are summed in thread order, so results
// do not depend on timing.

/// output = conv(input, weight) + bias. Overwrites output.
public func conv2dForward(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
) {
    let (patch, plane, coutG) = (g.patchSize, g.outPlane, g.groupOutChannels)
    Parallel.forRanges(g.batch) { images in
        withScratch(g.isPointwise ? 0 : patch * plane) { columns in
            for n in images {
                let out = output + n * g.outChannels * plane
                for c in 0..<g.outChannels { (out + c * plane).update(repeating: bias?[c] ?? 0, count: plane) }
                for group in 0..<g.groups {
                    let x = input + (n * g.inChannels + group * g.groupInChannels) * g.inPlane
                    let matrix = g.isPointwise ? x : { im2col(g, input: x, columns: columns); return UnsafePointer(columns) }()
                    sgemm(transA: false, transB: false, m: coutG, n: plane, k: patch, alpha: 1,
                          a: weight + group * coutG * patch, lda: patch, b: matrix, ldb: plane,
                          beta: 1, c: out + group * coutG * plane, ldc: plane)
                }
            }
        }
    }
}

/// gradInput = ∂L/∂input: for each group, Wᵀ·gradOutput scattered back by col2im. Overwrites gradInput.
public func conv2dBackwardInput(
    _ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>
) {
    let (patch, plane, coutG) = (g.patchSize, g.outPlane, g.groupOutChannels)
    Parallel.forRanges(g.batch) { images in
        withScratch(g.isPointwise ? 0 : patch * plane) { columns in
            for n in images {
                let dx = gradInput + n * g.inChannels * g.inPlane
                for group in 0..<g.groups {
                    let dxGroup = dx + group * g.groupInChannels * g.inPlane
                    let target = g.isPointwise ? dxGroup : columns
                    sgemm(transA: true, transB: false, m: patch, n: plane, k: coutG, alpha: 1,
                          a: weight + group * coutG * patch, lda: patch,
                          b: gradOutput + (n * g.outChannels + group * coutG) * plane, ldb: plane,
                          beta: 0, c: target, ldc: plane)
                    if !g.isPointwise {
                        dxGroup.update(repeating: 0, count: g.groupInChannels * g.inPlane)
                        col2im(g, columns: columns, input: dxGroup)
                    }
                }
            }
        }
    }
}

/// gradWeight = Σ over images of gradOutput·columnsᵀ, and gradBias = Σ of gradOutput over
/// images and pixels (if non-nil). Overwrites both.
public func conv2dBackwardWeight(
    _ g: Conv2dGeometry, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?
) {
    let (patch, plane, coutG) = (g.patchSize, g.outPlane, g.groupOutChannels)
    let weightCount = g.outChannels * patch
    let parts = max(1, min(Parallel.threads, g.batch))
    // Part 0 accumulates straight into gradWeight; the others into their own buffers.
    withScratch((parts - 1) * weightCount) { partials in
        Parallel.forEach(parts) { part in
            let accumulator = part == 0 ? gradWeight : partials + (part - 1) * weightCount
            accumulator.update(repeating: 0, count: weightCount)
            let images = (g.batch * part / parts)..<(g.batch * (part + 1) / parts)
            withScratch(g.isPointwise ? 0 : patch * plane) { columns in
                for n in images {
                    for group in 0..<g.groups {
                        let x = input + (n * g.inChannels + group * g.groupInChannels) * g.inPlane
                        let matrix = g.isPointwise ? x : { im2col(g, input: x, columns: columns); return UnsafePointer(columns) }()
                        sgemm(transA: false, transB: true, m: coutG, n: patch, k: plane, alpha: 1,
                              a: gradOutput + (n * g.outChannels + group * coutG) * plane, lda: plane,
                              b: matrix, ldb: plane, beta: 1, c: accumulator + group * coutG * patch, ldc: patch)
                    }
                }
            }
        }
        for part in 1..<max(parts, 1) {
            let partial = partials + (part - 1) * weightCount
            for i in 0..<weightCount { gradWeight[i] += partial[i] }
        }
    }
    guard let gradBias else { return }
    for c in 0..<g.outChannels {
        var sum: Float = 0
        for n in 0..<g.batch {
            let row = gradOutput + (n * g.outChannels + c) * plane
            for i in 0..<plane { sum += row[i] }
        }
        gradBias[c] = sum
    }
}

/// Runs `body` with an uninitialised buffer of `count` floats, freed afterwards.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    defer { buffer.deallocate() }
    return body(buffer)
}
