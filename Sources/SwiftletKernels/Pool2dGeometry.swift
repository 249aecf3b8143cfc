/// Shape of a 2-D max or average pooling in NCHW layout, with PyTorch semantics
/// (floor mode, no dilation). Input `[batch, channels, inHeight, inWidth]`,
/// output `[batch, channels, outHeight, outWidth]`.
public struct Pool2dGeometry: Hashable, Sendable {
    public var batch: Int
    public var channels: Int
    public var inHeight: Int
    public var inWidth: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var paddingHeight: Int
    public var paddingWidth: Int

    /// `strideHeight` / `strideWidth` default to the kernel size, as in PyTorch.
    public init(
        batch: Int, channels: Int, inHeight: Int, inWidth: Int,
        kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int? = nil, strideWidth: Int? = nil,
        paddingHeight: Int = 0, paddingWidth: Int = 0
    ) {
        self.batch = batch
        self.channels = channels
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight ?? kernelHeight
        self.strideWidth = strideWidth ?? kernelWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
    }

    /// `(inHeight + 2·padding − kernel) / stride + 1` (floor mode).
    public var outHeight: Int { Self.outSize(inHeight, kernelHeight, strideHeight, paddingHeight) }
    public var outWidth: Int { Self.outSize(inWidth, kernelWidth, strideWidth, paddingWidth) }

    /// True when every size is positive, `0 ≤ padding ≤ kernel / 2` (PyTorch's rule, which
    /// guarantees every window holds at least one real pixel) and the output is at least 1×1.
    public var isValid: Bool {
        [batch, channels, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth]
            .allSatisfy { $0 > 0 }
            && paddingHeight >= 0 && paddingHeight <= kernelHeight / 2
            && paddingWidth >= 0 && paddingWidth <= kernelWidth / 2
            && outHeight >= 1 && outWidth >= 1
    }

    /// The input rows and columns pooled into output `(oh, ow)`: its window clipped to the
    /// real input (padding is never read; for max-pooling it counts as −∞).
    @inline(__always)
    public func window(_ oh: Int, _ ow: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let h0 = oh * strideHeight - paddingHeight, w0 = ow * strideWidth - paddingWidth
        return (max(h0, 0)..<min(h0 + kernelHeight, inHeight), max(w0, 0)..<min(w0 + kernelWidth, inWidth))
    }

    public var inPlane: Int { inHeight * inWidth }
    public var outPlane: Int { outHeight * outWidth }
    /// Number of (image, channel) planes, each pooled independently.
    public var planes: Int { batch * channels }

    private static func outSize(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int) -> Int {
        let span = size + 2 * padding - kernel
        return span < 0 || stride <= 0 ? 0 : span / stride + 1
    }
}
