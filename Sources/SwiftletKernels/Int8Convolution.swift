/// im2col for one int8 image [C, H, W]: row r = oh·outWidth + ow holds the receptive field
/// of output position (oh, ow) in (c, kh, kw) order, `depth` columns long — the window's
/// C·kH·kW values, then zeros up to `depth` (see `int8PaddedDepth`). Positions outside the
/// image hold `paddingCode`, the code of 0.0, so zero padding stays exact in integers.
/// Groups other than 1 are not supported (checked by the caller).
public func int8Im2col(
    _ g: Conv2dGeometry, image: UnsafePointer<Int8>, paddingCode: Int8, depth: Int,
    columns: UnsafeMutablePointer<Int8>
) {
    let window = g.inChannels * g.kernelHeight * g.kernelWidth
    precondition(g.groups == 1 && depth >= window, "int8Im2col: groups must be 1 and depth ≥ \(window)")
    let kernelWidth = g.kernelWidth, dilation = g.dilationWidth
    // Output columns whose whole kernel row lies inside the image: copied without checks.
    let firstInside = (g.paddingWidth + g.strideWidth - 1) / g.strideWidth
    let lastInside = (g.inWidth - 1 - (kernelWidth - 1) * dilation + g.paddingWidth)
    let insideColumns = firstInside..<max(firstInside, min(g.outWidth, lastInside >= 0 ? lastInside / g.strideWidth + 1 : 0))
    for oh in 0..<g.outHeight {
        let rows = columns + oh * g.outWidth * depth
        for c in 0..<g.inChannels {
            let plane = image + c * g.inHeight * g.inWidth
            for kh in 0..<g.kernelHeight {
                let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                let column = (c * g.kernelHeight + kh) * kernelWidth
                guard ih >= 0 && ih < g.inHeight else {
                    for ow in 0..<g.outWidth { (rows + ow * depth + column).update(repeating: paddingCode, count: kernelWidth) }
                    continue
                }
                let source = plane + ih * g.inWidth
                for ow in 0..<g.outWidth {
                    let target = rows + ow * depth + column
                    let iw = ow * g.strideWidth - g.paddingWidth
                    if insideColumns.contains(ow) {
                        for kw in 0..<kernelWidth { target[kw] = source[iw + kw * dilation] }
                    } else {
                        for kw in 0..<kernelWidth {
                            let x = iw + kw * dilation
                            target[kw] = x >= 0 && x < g.inWidth ? source[x] : paddingCode
                        }
                    }
                }
            }
        }
        if depth > window {
            for ow in 0..<g.outWidth { (rows + ow * depth + window).update(repeating: 0, count: depth - window) }
        }
    }
}

/// A convolution of int8 images with int8 filters into int32 accumulators, prepared once per
/// layer. On CPUs with AVX-512 VNNI (SWIFTLET_AVX512_VNNI) or AVX2 (SWIFTLET_AVX2) and
/// dilation 1 along the width it needs no im2col: each kernel row's codes are padded to
/// whole groups (4 bytes for `vpdpbusd`; 2 codes widened to int16 for `vpmaddwd`, the image
/// widened once) and the product kernel reads every group straight from the (padded) image,
/// since a kernel row is contiguous there; the codes a group reads past the kernel row meet
/// zero weights. Elsewhere: im2col into scratch, then the product with filters padded to
/// `int8PaddedDepth`.
public struct Int8Convolution {
    public let geometry: Conv2dGeometry
    /// The code of 0.0: what zero padding holds.
    let paddingCode: Int8
    let weights: Int8PackedWeights
    /// Direct path: the offset of each group of codes (`directGroup`) from a position's first
    /// input code in the padded image; nil for the im2col path.
    let groupOffsets: [Int]?
    /// Int8 scratch `accumulate` needs: the padded image (widened on AVX2) or the im2col matrix.
    public let scratchCount: Int

    #if SWIFTLET_AVX512_VNNI
    /// The direct path's padded image: int8 codes, read in groups of 4 by `vpdpbusd`.
    typealias DirectCode = Int8
    static let directGroup = 4
    #elseif SWIFTLET_AVX2
    /// The direct path's padded image: codes widened to int16, read in pairs by `vpmaddwd`.
    typealias DirectCode = Int16
    static let directGroup = 2
    #endif

    /// `filters` holds [C_out, C·kH·kW] codes. Groups other than 1 are not supported.
    public init(_ g: Conv2dGeometry, filters: UnsafePointer<Int8>, paddingCode: Int8) {
        precondition(g.groups == 1, "Int8Convolution: groups must be 1, got \(g.groups)")
        geometry = g
        self.paddingCode = paddingCode
        let window = g.inChannels * g.kernelHeight * g.kernelWidth
        #if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
        let direct = g.dilationWidth == 1
        let group = Self.directGroup, codeBytes = MemoryLayout<DirectCode>.stride
        #else
        let direct = false, group = 1, codeBytes = 1
        #endif
        guard direct else {
            let depth = int8PaddedDepth(window)
            var padded = [Int8](repeating: 0, count: g.outChannels * depth)
            for j in 0..<g.outChannels { for p in 0..<window { padded[j * depth + p] = filters[j * window + p] } }
            weights = Int8PackedWeights(padded, rows: g.outChannels, depth: depth, ldw: depth)
            groupOffsets = nil
            scratchCount = g.outHeight * g.outWidth * depth
            return
        }
        let kernelRows = g.inChannels * g.kernelHeight, groupsPerRow = (g.kernelWidth + group - 1) / group
        let depth = kernelRows * groupsPerRow * group
        var padded = [Int8](repeating: 0, count: g.outChannels * depth)
        for j in 0..<g.outChannels {
            for r in 0..<kernelRows {
                for kw in 0..<g.kernelWidth { padded[j * depth + r * groupsPerRow * group + kw] = filters[j * window + r * g.kernelWidth + kw] }
            }
        }
        weights = Int8PackedWeights(padded, rows: g.outChannels, depth: depth, ldw: depth)
        let width = g.paddedWidth, plane = g.paddedHeight * width
        var offsets: [Int] = []
        for r in 0..<kernelRows {
            let rowStart = (r / g.kernelHeight) * plane + (r % g.kernelHeight) * g.dilationHeight * width
            for index in 0..<groupsPerRow { offsets.append(rowStart + group * index) }
        }
        groupOffsets = offsets
        // The last group of the last position reads up to group − 1 codes past the padded image.
        scratchCount = (g.inChannels * plane + group) * codeBytes
    }

    /// Accumulators [positions, C_out] of one image [C, H, W]; `scratch` holds `scratchCount`
    /// codes and is 2-byte aligned (as every allocation is), since AVX2 keeps int16 codes there.
    public func accumulate(image: UnsafePointer<Int8>, scratch: UnsafeMutablePointer<Int8>, accumulators: UnsafeMutablePointer<Int32>) {
        let g = geometry, positions = g.outHeight * g.outWidth
        #if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
        if let groupOffsets {
            precondition(Int(bitPattern: scratch) % MemoryLayout<DirectCode>.alignment == 0, "Int8Convolution: scratch is not aligned for \(DirectCode.self) codes")
            let padded = UnsafeMutableRawPointer(scratch).bindMemory(to: DirectCode.self, capacity: scratchCount / MemoryLayout<DirectCode>.stride)
            g.copyPadded(image, paddingCode: paddingCode, into: padded)
            let width = g.paddedWidth, outWidth = g.outWidth
            let rowStep = g.strideHeight * width, columnStep = g.strideWidth
            func position(_ i: Int) -> UnsafePointer<DirectCode> {
                let (oh, ow) = i.quotientAndRemainder(dividingBy: outWidth)
                return UnsafePointer(padded + oh * rowStep + ow * columnStep)
            }
            #if SWIFTLET_AVX512_VNNI
            groupOffsets.withUnsafeBufferPointer { offsets in
                weights.multiply(m: positions, row: position, groupOffsets: offsets, tailLength: 0, c: accumulators, ldc: g.outChannels)
            }
            #else
            weights.multiply(m: positions, row: position, pairOffsets: groupOffsets, c: accumulators, ldc: g.outChannels)
            #endif
            return
        }
        #endif
        int8Im2col(g, image: image, paddingCode: paddingCode, depth: weights.depth, columns: scratch)
        weights.multiply(m: positions, a: scratch, lda: weights.depth, c: accumulators, ldc: g.outChannels)
    }
}

extension Conv2dGeometry {
    var paddedHeight: Int { inHeight + 2 * paddingHeight }
    var paddedWidth: Int { inWidth + 2 * paddingWidth }

    /// Copies an image [C, H, W] into [C, paddedHeight, paddedWidth] with `paddingCode` around
    /// it, each code converted to `Code` (int8 as is, or widened to int16).
    func copyPadded<Code: FixedWidthInteger>(_ image: UnsafePointer<Int8>, paddingCode: Int8, into padded: UnsafeMutablePointer<Code>) {
        let width = paddedWidth
        func copyRow(_ source: UnsafePointer<Int8>, _ target: UnsafeMutablePointer<Code>, _ count: Int) {
            for i in 0..<count { target[i] = Code(source[i]) }
        }
        if paddingHeight == 0 && paddingWidth == 0 {
            copyRow(image, padded, inChannels * inHeight * inWidth)
            return
        }
        padded.update(repeating: Code(paddingCode), count: inChannels * paddedHeight * width)
        for c in 0..<inChannels {
            for h in 0..<inHeight {
                copyRow(image + (c * inHeight + h) * inWidth, padded + (c * paddedHeight + h + paddingHeight) * width + paddingWidth, inWidth)
            }
        }
    }
}
