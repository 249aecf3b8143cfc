/// Which kernel `conv2dForward` runs for a geometry; each multiplies with the weights in a
/// form of its own.
enum Conv2dForwardPath: Equatable {
    /// 3×3, padding 1, many channels: 16 products with the transformed weights U.
    case winograd
    /// Stride 1 with few filters: each tap's filters side by side.
    case direct
    /// im2col and a product with each group's weight matrix packed as its A operand.
    case product

    init(_ g: Conv2dGeometry) {
        self = g.usesWinograd ? .winograd : g.usesDirectForward ? .direct : .product
    }

    /// Floats of the weights in this path's form.
    func preparedWeightsCount(_ g: Conv2dGeometry) -> Int {
        switch self {
        case .winograd: return WinogradConvolution.preparedWeightsCount(g)
        case .direct: return DirectConvolution.preparedWeightsCount(g)
        case .product: return groupWeightsCount(g, transposed: false)
        }
    }

    /// `output = conv(input, weight)` by this path, bias not added, with the weights in its
    /// form (`prepareWeights`). `finish(n)` runs once image n's output is complete.
    func forward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, preparedWeights weights: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
    ) {
        switch self {
        case .winograd: WinogradConvolution.forward(g, input: input, preparedWeights: weights, output: output, perImage: finish)
        case .direct: DirectConvolution.forward(g, input: input, preparedWeights: weights, output: output, perImage: finish)
        case .product: conv2dForwardByProduct(g, input: input, preparedWeights: weights, output: output, perImage: finish)
        }
    }

    /// The same with `weight` as stored ([outChannels, inChannelsPerGroup, kH, kW]), put in
    /// this path's form in scratch memory first.
    func forward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, perImage finish: (_ image: Int) -> Void
    ) {
        KernelScratch.with { scratch in
            let weights = scratch.packedA(count: preparedWeightsCount(g))
            prepareWeights(g, weight, into: weights)
            forward(g, input: input, preparedWeights: weights, output: output, perImage: finish)
        }
    }

    /// Writes `weight` in this path's form to `prepared`.
    func prepareWeights(_ g: Conv2dGeometry, _ weight: UnsafePointer<Float>, into prepared: UnsafeMutablePointer<Float>) {
        switch self {
        case .winograd: WinogradConvolution.prepareWeights(g, weight, into: prepared)
        case .direct: DirectConvolution.prepareWeights(g, weight, into: prepared)
        case .product: packGroupWeights(g, weight, transposed: false, into: prepared)
        }
    }
}

/// A convolution's weights in the form its forward kernel multiplies with — Winograd's
/// transformed and packed U, the direct path's transposed taps, or im2col's packed A operands —
/// made once, so that inference calls skip that work, as ONNX Runtime keeps pre-packed weights.
/// Costs as much memory as the form (about the weight's size; 16/9 of it for Winograd).
public final class Conv2dForwardWeights: @unchecked Sendable {
    /// The geometry the weights were prepared for.
    public let geometry: Conv2dGeometry
    private let path: Conv2dForwardPath
    /// Immutable after init, so threads may read it at once (hence `Sendable`).
    let values: UnsafeMutablePointer<Float>

    /// `weight` [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] prepared for `g`.
    public init(_ g: Conv2dGeometry, weight: UnsafePointer<Float>) {
        precondition(g.isValid, "Conv2dForwardWeights: invalid geometry \(g)")
        geometry = g
        path = Conv2dForwardPath(g)
        let count = max(path.preparedWeightsCount(g), 1)
        values = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        path.prepareWeights(g, weight, into: values)
    }

    deinit { values.deallocate() }

    /// Whether `conv2dForward` on `g` takes the same path with weights of the same shape — the
    /// batch and the image size may differ, as long as they do not change the path.
    public func fits(_ g: Conv2dGeometry) -> Bool {
        let a = geometry
        return Conv2dForwardPath(g) == path && g.outChannels == a.outChannels && g.inChannels == a.inChannels
            && g.kernelHeight == a.kernelHeight && g.kernelWidth == a.kernelWidth && g.groups == a.groups
    }
}
