// Winograd convolution F(2×2, 3×3) for the 3×3, stride-1, padding-1 layers of ResNets and VGGs.
//
// A direct 3×3 convolution spends 9 multiply-adds per output pixel, input channel and filter.
// Winograd's minimal filtering (Lavin & Gray 2016) computes each 2×2 block ("tile") of outputs
// from the 4×4 block of inputs around it with 16 products instead of 36:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
// Summed over input channels, the 16 element-wise products of a tile become 16 matrix
// products, one per position ξ of the 4×4 transformed tile, over every tile t of a band:
//   M_ξ[o, t] = Σ_c U_ξ[o, c] · V_ξ[c, t]      U = G g Gᵀ (per filter and channel),
//                                             V = Bᵀ d B (per tile and channel)
// 2.25× fewer multiplications, paid for by the transforms, which only add. The gradients are
// the same products transposed:
// - input: a stride-1 padding-1 3×3 convolution's adjoint is another one (weights flipped and
//   transposed), so it runs through `forward`;
// - weight: dU_ξ = Σ_t dM_ξ[·, t] · V_ξ[·, t]ᵀ with dM = A dY Aᵀ, then dg = Gᵀ dU G.
// The arithmetic differs from the direct path's, so results differ in the last bits (tests
// bound it against the definition summed in Double).
//
// Vectors run along the tiles of a band (tile rows one after another): tile (ty, tx) reads
// input columns 2·tx − 1 … 2·tx + 2, so each input row is first split into four arrays, one
// per column offset, laid out tile by tile (`splitRows`); a tile row of 4 or 8 tiles (8×8 and
// 16×16 planes) then shares a vector with the next ones instead of leaving lanes empty.

extension Conv2dGeometry {
    /// Whether the convolution and both its gradients run as Winograd F(2×2, 3×3): 3×3,
    /// stride 1, padding 1, no dilation, one group and at least
    /// `WinogradConvolution.minimumChannels` channels in and out (with fewer, the transforms
    /// cost more than the multiplications they save).
    var usesWinograd: Bool {
        kernelHeight == 3 && kernelWidth == 3 && isStrideOne && paddingHeight == 1 && paddingWidth == 1
            && dilationHeight == 1 && dilationWidth == 1 && groups == 1
            && min(inChannels, outChannels) >= WinogradConvolution.minimumChannels
    }
}

enum WinogradConvolution {
    /// With 16 channels (ResNet-20's first stage) the weight gradient ran at 62 against the
    /// direct path's 82 GFLOP/s and the forward pass level (`bench --only conv`, one thread).
    static let minimumChannels = 32
    /// Transformed floats (inputs plus outputs, 16 per tile and channel) a band of tiles may
    /// occupy: 512 KB, which stays in L2 while its 16 products run.
    static let bandFloats = 131_072
    private typealias Lanes = SIMD16<Float>
    /// Tile rows of one image: a band is a list of them.
    typealias Segment = (image: Int, tileRows: Range<Int>)

    /// How a geometry's planes divide into 2×2 output tiles.
    struct Tiling {
        let g: Conv2dGeometry
        /// Tile rows and tiles per row of one image.
        let rows: Int, columns: Int
        /// Tile rows per band, and the row length (16-multiple, with 16 floats to spare for the
        /// last vector's load) of the transformed matrices.
        let bandRows: Int, leading: Int
        /// Floats per column array of `splitRows` (a band's tile rows and one more, and room
        /// for the last vector's load), and floats of a band's eight arrays plus one row's
        /// even and odd pixels.
        let splitPitch: Int, splitCount: Int

        init(_ g: Conv2dGeometry) {
            self.g = g
            rows = (g.outHeight + 1) / 2
            columns = (g.outWidth + 1) / 2
            let tiles = max(columns, bandFloats / (16 * (g.inChannels + g.outChannels)))
            let fit = min(tiles / columns, rows * g.batch)
            // Whole images where a band holds one or more, so that bands start at an image.
            bandRows = fit >= rows ? fit / rows * rows : fit
            leading = (bandRows * columns + 15) / 16 * 16 + 16
            splitPitch = (bandRows + 1) * columns + 16
            splitCount = 8 * splitPitch + 2 * (columns + 1)
        }

        /// Whether every band's segments start at a multiple of 16 tiles, so the forward pass can
        /// write V straight into `PackedProduct`'s B panels (16 tiles each) instead of packing
        /// its 16 matrices per band: rows of 16 tiles, or whole images of 16-multiples of tiles.
        var vectorsFillPanels: Bool {
            columns % 16 == 0 || (rows * columns % 16 == 0 && bandRows % rows == 0)
        }

        /// Images per unit of work: a band's worth, and at least four units per thread while
        /// the batch allows (so a late thread still gets a share).
        var imagesPerUnit: Int {
            min(max(1, bandRows / rows), max(1, g.batch / (4 * Parallel.availableThreads)))
        }

        /// The bands of `bandRows` tile rows (the last one shorter) of images `images`, tile rows
        /// of consecutive images one after another, each band given as its images' segments and
        /// its number of tiles.
        func forEachBand(of images: Range<Int>, _ body: (_ segments: [Segment], _ tiles: Int) -> Void) {
            let total = images.count * rows
            for start in stride(from: 0, to: total, by: bandRows) {
                let end = min(start + bandRows, total)
                var segments: [Segment] = []
                var r = start
                while r < end {
                    let image = r / rows, first = r % rows, last = min(rows, first + end - r)
                    segments.append((images.lowerBound + image, first..<last))
                    r += last - first
                }
                body(segments, (end - start) * columns)
            }
        }
    }

    // MARK: Forward and input gradient

    /// `output = conv(input, weight)` (bias not added) for a geometry with `usesWinograd`.
    /// Overwrites `output`; `finish(n)` runs once image n's output is complete.
    /// Floats of the forward pass's prepared weights (`prepareWeights`).
    static func preparedWeightsCount(_ g: Conv2dGeometry) -> Int {
        16 * PackedProduct.packedACount(m: g.outChannels, k: g.inChannels)
    }

    /// U_ξ[o, c] = the transformed weights, packed as the A operand of each of the 16 products.
    static func prepareWeights(_ g: Conv2dGeometry, _ weight: UnsafePointer<Float>, into packedU: UnsafeMutablePointer<Float>) {
        let cIn = g.inChannels, cOut = g.outChannels
        let packedCount = PackedProduct.packedACount(m: cOut, k: cIn)
        KernelScratch.with { scratch in
            let u = scratch.partials(count: 16 * cOut * cIn)
            transformWeights(weight, filters: cOut, channels: cIn, into: u)
            Parallel.forEach(16) { xi in
                PackedProduct.packA(u + xi * cOut * cIn, lda: cIn, transposed: false, m: cOut, k: cIn,
                                    into: packedU + xi * packedCount)
            }
        }
    }

    /// The forward pass with weights made by `prepareWeights`.
    static func forward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, preparedWeights packedU: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
    ) {
        precondition(g.usesWinograd, "WinogradConvolution.forward: unsupported geometry \(g)")
        let tiling = Tiling(g)
        let cIn = g.inChannels, cOut = g.outChannels
        let packedCount = PackedProduct.packedACount(m: cOut, k: cIn)
        let perUnit = tiling.imagesPerUnit
        Parallel.forEach((g.batch + perUnit - 1) / perUnit) { unit in
            let images = (unit * perUnit)..<min(g.batch, (unit + 1) * perUnit)
            KernelScratch.with { scratch in
                let v = scratch.columns(count: 16 * cIn * tiling.leading)
                let m = scratch.convolved(count: 16 * cOut * tiling.leading)
                // Where V is not written in panels, each V_ξ is packed here per band.
                let packedV = tiling.vectorsFillPanels
                    ? nil : scratch.packedB(count: PackedProduct.packedBCount(k: cIn, n: tiling.leading))
                let split = scratch.partials(count: tiling.splitCount)
                tiling.forEachBand(of: images) { segments, tiles in
                    transformInput(tiling, input, segments: segments, split: split, panels: packedV == nil, into: v)
                    for xi in 0..<16 {
                        let vXi = v + xi * cIn * tiling.leading
                        if let packedV {
                            PackedProduct.packB(vXi, ldb: tiling.leading, transposed: false, k: cIn, n: tiles, into: packedV)
                        }
                        PackedProduct.multiply(m: cOut, n: tiles, k: cIn, packedA: packedU + xi * packedCount,
                                               packedB: packedV ?? vXi, c: m + xi * cOut * tiling.leading,
                                               ldc: tiling.leading, accumulate: false)
                    }
                    transformOutput(tiling, m, segments: segments, into: output)
                }
            }
            for n in images { finish(n) }
        }
    }

    /// `gradInput = ∂L/∂input` for a geometry with `usesWinograd`: the forward convolution of
    /// gradOutput with weight′[c][o][i][j] = weight[o][c][2−i][2−j]. Overwrites `gradInput`.
    static func backwardInput(
        _ g: Conv2dGeometry, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>
    ) {
        precondition(g.usesWinograd, "WinogradConvolution.backwardInput: unsupported geometry \(g)")
        let cIn = g.inChannels, cOut = g.outChannels
        KernelScratch.with { scratch in
            let flipped = scratch.packedA(count: cIn * cOut * 9)
            for o in 0..<cOut {
                for c in 0..<cIn {
                    for tap in 0..<9 { flipped[(c * cOut + o) * 9 + 8 - tap] = weight[(o * cIn + c) * 9 + tap] }
                }
            }
            Conv2dForwardPath.winograd.forward(g.inputGradientGeometry, input: gradOutput, weight: flipped, output: gradInput,
                                               perImage: { _ in })
        }
    }

    // MARK: Weight gradient

    /// `gradWeight = ∂L/∂weight` (bias not included) for a geometry with `usesWinograd`.
    /// Overwrites `gradWeight`. Chunks of images sum partial dU (`sumOverWeightGradientChunks`),
    /// so the result depends on the thread count only; dg = Gᵀ dU G comes after.
    static func backwardWeight(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradWeight: UnsafeMutablePointer<Float>
    ) {
        precondition(g.usesWinograd, "WinogradConvolution.backwardWeight: unsupported geometry \(g)")
        let tiling = Tiling(g)
        let cIn = g.inChannels, cOut = g.outChannels
        KernelScratch.with { shared in
            let du = shared.partials(count: 16 * cOut * cIn)
            g.sumOverWeightGradientChunks(count: 16 * cOut * cIn, into: du) { images, sum in
                KernelScratch.with { scratch in
                    let v = scratch.columns(count: 16 * cIn * tiling.leading)
                    let dm = scratch.convolved(count: 16 * cOut * tiling.leading)
                    let packedDM = scratch.packedA(count: PackedProduct.packedACount(m: cOut, k: tiling.leading))
                    let packedV = scratch.packedB(count: PackedProduct.packedBCount(k: tiling.leading, n: cIn))
                    let split = scratch.partials(count: tiling.splitCount)
                    var first = true
                    tiling.forEachBand(of: images) { segments, tiles in
                        transformInput(tiling, input, segments: segments, split: split, panels: false, into: v)
                        transformGradient(tiling, gradOutput, segments: segments, split: split, into: dm)
                        for xi in 0..<16 {
                            // dU_ξ[o, c] += Σ_t dM_ξ[o, t] · V_ξ[c, t]
                            PackedProduct.packA(dm + xi * cOut * tiling.leading, lda: tiling.leading, transposed: false,
                                                m: cOut, k: tiles, into: packedDM)
                            PackedProduct.packB(v + xi * cIn * tiling.leading, ldb: tiling.leading, transposed: true,
                                                k: tiles, n: cIn, into: packedV)
                            PackedProduct.multiply(m: cOut, n: cIn, k: tiles, packedA: packedDM, packedB: packedV,
                                                   c: sum + xi * cOut * cIn, ldc: cIn, accumulate: !first)
                        }
                        first = false
                    }
                }
            }
            untransformWeightGradient(du, filters: cOut, channels: cIn, into: gradWeight)
        }
    }

    // MARK: Transforms

    /// Four vectors: a row (or column) of a 4×4 block, for 16 tiles at once.
    private struct Quad {
        var x0, x1, x2, x3: Lanes
        @inline(__always) static func + (a: Quad, b: Quad) -> Quad { Quad(x0: a.x0 + b.x0, x1: a.x1 + b.x1, x2: a.x2 + b.x2, x3: a.x3 + b.x3) }
        @inline(__always) static func - (a: Quad, b: Quad) -> Quad { Quad(x0: a.x0 - b.x0, x1: a.x1 - b.x1, x2: a.x2 - b.x2, x3: a.x3 - b.x3) }
        /// (x0 − x2, x1 + x2, x2 − x1, x1 − x3): Bᵀ applied to the four.
        @inline(__always) var timesBT: Quad { Quad(x0: x0 - x2, x1: x1 + x2, x2: x2 - x1, x3: x1 - x3) }
    }

    /// The four G-combinations (a, (a + b + c)/2, (a − b + c)/2, c) of three values,
    /// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]].
    @inline(__always)
    private static func timesG<T: SIMD>(_ a: T, _ b: T, _ c: T) -> (T, T, T, T) where T.Scalar == Float {
        (a, (a + b + c) * 0.5, (a - b + c) * 0.5, c)
    }

    /// The three Gᵀ-combinations (d0 + (d1 + d2)/2, (d1 − d2)/2, (d1 + d2)/2 + d3) of four values.
    @inline(__always)
    private static func timesGT<T: SIMD>(_ d0: T, _ d1: T, _ d2: T, _ d3: T) -> (T, T, T) where T.Scalar == Float {
        (d0 + (d1 + d2) * 0.5, (d1 - d2) * 0.5, (d1 + d2) * 0.5 + d3)
    }

    /// u[ξ][o][c] = (G g Gᵀ)[ξ] for every filter o and channel c of the 3×3 weights `weight[o][c]`.
    /// Vectors run over 16 (filter, channel) pairs, so each of the 16 planes of u is written a
    /// whole cache line at a time: one pair after another, the 16 planes 4 or 16 KB apart fell
    /// into the same L1 set and every store missed (5 % of a ResNet-20 training step).
    private static func transformWeights(
        _ weight: UnsafePointer<Float>, filters: Int, channels: Int, into u: UnsafeMutablePointer<Float>
    ) {
        let plane = filters * channels
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 9) { taps in
            let gathered = UnsafeMutableRawPointer(taps.baseAddress!).assumingMemoryBound(to: Float.self)
            for first in stride(from: 0, to: plane, by: 16) {
                let lanes = min(16, plane - first)
                // gathered[16·tap + l] = weight[first + l][tap]
                if lanes < 16 { zeroRun(9 * 16, gathered) }
                for l in 0..<lanes {
                    for tap in 0..<9 { gathered[16 * tap + l] = weight[(first + l) * 9 + tap] }
                }
                // G·g column by column (rows r of G g, lanes: pairs), then G along each row.
                let c0 = timesG(taps[0], taps[3], taps[6]), c1 = timesG(taps[1], taps[4], taps[7])
                let c2 = timesG(taps[2], taps[5], taps[8])
                @inline(__always) func emitRow(_ i: Int, _ a: Lanes, _ b: Lanes, _ c: Lanes) {
                    let (u0, u1, u2, u3) = timesG(a, b, c), out = u + 4 * i * plane + first
                    store(u0, lanes: lanes, to: out)
                    store(u1, lanes: lanes, to: out + plane)
                    store(u2, lanes: lanes, to: out + 2 * plane)
                    store(u3, lanes: lanes, to: out + 3 * plane)
                }
                emitRow(0, c0.0, c1.0, c2.0)
                emitRow(1, c0.1, c1.1, c2.1)
                emitRow(2, c0.2, c1.2, c2.2)
                emitRow(3, c0.3, c1.3, c2.3)
            }
        }
    }

    /// gradWeight[o][c] = Gᵀ dU[o][c] G (3×3) from du[ξ][o][c].
    private static func untransformWeightGradient(
        _ du: UnsafePointer<Float>, filters: Int, channels: Int, into gradWeight: UnsafeMutablePointer<Float>
    ) {
        let plane = filters * channels
        for pair in 0..<plane {
            func row(_ u: Int) -> SIMD4<Float> {
                SIMD4(du[4 * u * plane + pair], du[(4 * u + 1) * plane + pair],
                      du[(4 * u + 2) * plane + pair], du[(4 * u + 3) * plane + pair])
            }
            // Gᵀ·dU: three combinations of dU's rows (lanes: columns w), then Gᵀ along each row.
            let (e0, e1, e2) = timesGT(row(0), row(1), row(2), row(3))
            func column(_ w: Int) -> SIMD3<Float> { SIMD3(e0[w], e1[w], e2[w]) }
            let (g0, g1, g2) = timesGT(column(0), column(1), column(2), column(3))
            let out = gradWeight + pair * 9
            for i in 0..<3 { (out[3 * i], out[3 * i + 1], out[3 * i + 2]) = (g0[i], g1[i], g2[i]) }
        }
    }

    /// Splits rows of a plane by the columns a tile reads, into arrays laid out tile by tile
    /// so that 16 consecutive tiles (across tile rows too) are one vector load:
    ///   split[(h · shifts + a) · pitch + r · columns + tx] = plane[firstRow + 2·r + h][2·tx + firstShift + a]
    /// for r in 0 ..< count, h in 0, 1 and a in 0 ..< shifts (zero outside the plane): the columns
    /// 2·tx − 1 … 2·tx + 2 of a 4×4 input block (firstShift −1, 4 shifts), or 2·tx and 2·tx + 1
    /// of a 2×2 gradient block (0, 2).
    private static func splitRows(
        _ plane: UnsafePointer<Float>, tiling: Tiling, height: Int, width: Int, firstRow: Int, count: Int,
        firstShift: Int, shifts: Int, into split: UnsafeMutablePointer<Float>
    ) {
        let columns = tiling.columns, pitch = tiling.splitPitch
        // A row's even columns (2j) at pixels[j] and odd ones (2j − 1) at pixels[columns + 1 + j],
        // zero beyond the plane: every shifted column run is then a contiguous copy.
        let pixels = split + 8 * pitch, odd = pixels + columns + 1
        for r in 0..<count {
            for h in 0..<2 {
                let y = firstRow + 2 * r + h
                let arrays = split + h * shifts * pitch + r * columns
                guard y >= 0 && y < height else {
                    for a in 0..<shifts { zeroRun(columns, arrays + a * pitch) }
                    continue
                }
                let source = plane + y * width
                zeroRun(2 * (columns + 1), pixels)
                deinterleave(source, count: width, even: pixels, odd: odd + 1)
                for a in 0..<shifts {
                    let shift = firstShift + a
                    // Column 2·tx + shift is even(tx + shift/2) or odd(tx + (shift + 1)/2).
                    let from = shift % 2 == 0 ? pixels + shift / 2 : odd + (shift + 1) / 2
                    copyRun(columns, from: from, to: arrays + a * pitch)
                }
            }
        }
    }

    /// even[j] = source[2j], odd[j] = source[2j + 1] for the `count` values of `source`.
    private static func deinterleave(
        _ source: UnsafePointer<Float>, count: Int, even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>
    ) {
        var x = 0
        while x + 32 <= count {
            let pixels = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD32<Float>.self)
            UnsafeMutableRawPointer(even + x / 2).storeBytes(of: pixels.evenHalf, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(odd + x / 2).storeBytes(of: pixels.oddHalf, as: SIMD16<Float>.self)
            x += 32
        }
        // Rows of 16 and 8 pixels (a ResNet's 16×16 and 8×8 planes) as vectors too.
        while x + 16 <= count {
            let pixels = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(even + x / 2).storeBytes(of: pixels.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(odd + x / 2).storeBytes(of: pixels.oddHalf, as: SIMD8<Float>.self)
            x += 16
        }
        while x + 8 <= count {
            let pixels = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(even + x / 2).storeBytes(of: pixels.evenHalf, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(odd + x / 2).storeBytes(of: pixels.oddHalf, as: SIMD4<Float>.self)
            x += 8
        }
        while x < count {
            (x % 2 == 0 ? even : odd)[x / 2] = source[x]
            x += 1
        }
    }

    /// v[ξ][c][t] = (Bᵀ d B)[ξ] for every channel c and tile t of a band (tiles numbered in
    /// segment order), Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]: rows of
    /// `tiling.leading` tiles, or, with `panels` (needs `tiling.vectorsFillPanels`), each v[ξ]
    /// as `PackedProduct`'s B operand (k = channels, n = tiles): panels of 16 tiles, channel
    /// after channel.
    private static func transformInput(
        _ tiling: Tiling, _ input: UnsafePointer<Float>, segments: [Segment],
        split: UnsafeMutablePointer<Float>, panels: Bool, into v: UnsafeMutablePointer<Float>
    ) {
        let g = tiling.g, plane = tiling.leading * g.inChannels, pitch = tiling.splitPitch, columns = tiling.columns
        // Input rows 2·ty − 1 + i of tile row ty: even i are rows 2·r′ − 1 (r′ = ty + i/2) of
        // the first four arrays, odd i of the last four; columns 2·tx − 1 … 2·tx + 2 apart.
        @inline(__always) func inputRow(_ i: Int, _ l: Int) -> Quad {
            let first = split + (i % 2) * 4 * pitch + (i / 2) * columns + l
            return Quad(x0: load(first), x1: load(first + pitch), x2: load(first + 2 * pitch), x3: load(first + 3 * pitch))
        }
        var t0 = 0
        for (image, tileRows) in segments {
            let tiles = tileRows.count * columns
            for c in 0..<g.inChannels {
                splitRows(input + (image * g.inChannels + c) * g.inPlane, tiling: tiling, height: g.inHeight,
                          width: g.inWidth, firstRow: 2 * tileRows.lowerBound - 1,
                          count: tileRows.count + 1, firstShift: -1, shifts: 4, into: split)
                for l in stride(from: 0, to: tiles, by: 16) {
                    // Tile t of channel c: in rows at c·leading + t; in panels (t a multiple of 16)
                    // at (t / 16)·16·channels + 16·c = t·channels + 16·c.
                    let t = t0 + l, lanes = min(16, tiles - l)
                    let destination = v + (panels ? t * g.inChannels + 16 * c : c * tiling.leading + t)
                    @inline(__always) func emit(_ combined: Quad, row i: Int) {
                        let out = combined.timesBT, first = destination + 4 * i * plane
                        store(out.x0, lanes: lanes, to: first)
                        store(out.x1, lanes: lanes, to: first + plane)
                        store(out.x2, lanes: lanes, to: first + 2 * plane)
                        store(out.x3, lanes: lanes, to: first + 3 * plane)
                    }
                    let d0 = inputRow(0, l), d1 = inputRow(1, l), d2 = inputRow(2, l), d3 = inputRow(3, l)
                    // Bᵀ d: the block's rows combined, then B along each combination.
                    emit(d0 - d2, row: 0)
                    emit(d1 + d2, row: 1)
                    emit(d2 - d1, row: 2)
                    emit(d1 - d3, row: 3)
                }
            }
            t0 += tiles
        }
    }

    /// dm[ξ][o][t] = (A dY Aᵀ)[ξ] for every filter o and tile t of a band,
    /// A = [[1, 0], [1, 1], [1, −1], [0, −1]].
    private static func transformGradient(
        _ tiling: Tiling, _ gradOutput: UnsafePointer<Float>, segments: [Segment],
        split: UnsafeMutablePointer<Float>, into dm: UnsafeMutablePointer<Float>
    ) {
        let g = tiling.g, plane = tiling.leading * g.outChannels, pitch = tiling.splitPitch
        var t0 = 0
        for (image, tileRows) in segments {
            let tiles = tileRows.count * tiling.columns
            for o in 0..<g.outChannels {
                // Arrays: row 2·ty columns 2·tx, 2·tx + 1; row 2·ty + 1 the same.
                splitRows(gradOutput + (image * g.outChannels + o) * g.outPlane, tiling: tiling, height: g.outHeight,
                          width: g.outWidth, firstRow: 2 * tileRows.lowerBound,
                          count: tileRows.count, firstShift: 0, shifts: 2, into: split)
                for l in stride(from: 0, to: tiles, by: 16) {
                    let even0 = load(split + l), odd0 = load(split + pitch + l)
                    let even1 = load(split + 2 * pitch + l), odd1 = load(split + 3 * pitch + l)
                    let lanes = min(16, tiles - l), destination = dm + o * tiling.leading + t0 + l
                    // Rows of A dY (y0, y0 + y1, y0 − y1, −y1), then A along each row's two columns.
                    @inline(__always) func emit(_ a: Lanes, _ b: Lanes, row i: Int) {
                        let out = destination + 4 * i * plane
                        store(a, lanes: lanes, to: out)
                        store(a + b, lanes: lanes, to: out + plane)
                        store(a - b, lanes: lanes, to: out + 2 * plane)
                        store(-b, lanes: lanes, to: out + 3 * plane)
                    }
                    emit(even0, odd0, row: 0)
                    emit(even0 + even1, odd0 + odd1, row: 1)
                    emit(even0 - even1, odd0 - odd1, row: 2)
                    emit(-even1, -odd1, row: 3)
                }
            }
            t0 += tiles
        }
    }

    /// output[image][o] tiles = Aᵀ M A from m[ξ][o][t], Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
    private static func transformOutput(
        _ tiling: Tiling, _ m: UnsafePointer<Float>, segments: [Segment],
        into output: UnsafeMutablePointer<Float>
    ) {
        let g = tiling.g, plane = tiling.leading * g.outChannels, columns = tiling.columns
        @inline(__always) func mRow(_ source: UnsafePointer<Float>) -> Quad {
            Quad(x0: load(source), x1: load(source + plane), x2: load(source + 2 * plane), x3: load(source + 3 * plane))
        }
        var t0 = 0
        withUnsafeTemporaryAllocation(of: SIMD32<Float>.self, capacity: 2) { pixelRows in
            let pixels = UnsafeMutableRawPointer(pixelRows.baseAddress!).assumingMemoryBound(to: Float.self)
            for (image, tileRows) in segments {
                let tiles = tileRows.count * columns
                for o in 0..<g.outChannels {
                    let out = output + (image * g.outChannels + o) * g.outPlane
                    for l in stride(from: 0, to: tiles, by: 16) {
                        let source = m + o * tiling.leading + t0 + l
                        let m0 = mRow(source), m1 = mRow(source + 4 * plane)
                        let m2 = mRow(source + 8 * plane), m3 = mRow(source + 12 * plane)
                        // Aᵀ M by rows, then Aᵀ along each row: for each tile, output columns 2·tx
                        // and 2·tx + 1 side by side, of rows 2·ty and 2·ty + 1.
                        @inline(__always) func emit(_ s: Quad, row i: Int) {
                            var row = SIMD32<Float>()
                            row.evenHalf = s.x0 + s.x1 + s.x2
                            row.oddHalf = s.x1 - s.x2 - s.x3
                            pixelRows[i] = row
                        }
                        emit(m0 + m1 + m2, row: 0)
                        emit(m1 - m2 - m3, row: 1)
                        // The 16 tiles' pixels, tile row by tile row.
                        var lane = 0
                        while lane < min(16, tiles - l) {
                            let ty = tileRows.lowerBound + (l + lane) / columns, tx = (l + lane) % columns
                            let run = min(columns - tx, 16 - lane, tiles - l - lane)
                            let width = min(2 * run, g.outWidth - 2 * tx)
                            for i in 0..<2 where 2 * ty + i < g.outHeight {
                                copyRun(width, from: pixels + 32 * i + 2 * lane, to: out + (2 * ty + i) * g.outWidth + 2 * tx)
                            }
                            lane += run
                        }
                    }
                }
                t0 += tiles
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    /// Stores the first `lanes` of `v`; a tile row of 8 or 4 tiles is a half or a quarter vector.
    @inline(__always)
    private static func store(_ v: SIMD16<Float>, lanes: Int, to p: UnsafeMutablePointer<Float>) {
        switch lanes {
        case 16: UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
        case 8: UnsafeMutableRawPointer(p).storeBytes(of: v.lowHalf, as: SIMD8<Float>.self)
        case 4: UnsafeMutableRawPointer(p).storeBytes(of: v.lowHalf.lowHalf, as: SIMD4<Float>.self)
        default: storeLanes(v, lanes, p)
        }
    }

    /// Lane by lane, out of line: indexing a vector's lanes makes the compiler keep it in
    /// memory, which inlined into the transforms spilled every vector they hold.
    @inline(never)
    private static func storeLanes<V: SIMD>(_ v: V, _ lanes: Int, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        for lane in 0..<lanes { p[lane] = v[lane] }
    }
}
