/// The shapes of 2-D pooling, NCHW, PyTorch semantics (floor mode): windows of
/// kernelHeight×kernelWidth every stride pixels over an input padded on each side.
public struct Pool2dGeometry: Hashable, Sendable {
    public var batch, channels, inHeight, inWidth, kernelHeight, kernelWidth: Int
    public var strideHeight, strideWidth, paddingHeight, paddingWidth: Int

    public init(
        batch: Int, channels: Int, inHeight: Int, inWidth: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int, strideWidth: Int, paddingHeight: Int = 0, paddingWidth: Int = 0
    ) {
        self.batch = batch
        self.channels = channels
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
    }

    public var outHeight: Int { (inHeight + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    public var outWidth: Int { (inWidth + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }

    /// Positive sizes, padding at most half the kernel (as PyTorch requires), output ≥ 1×1.
    public var isValid: Bool {
        [batch, channels, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth].allSatisfy { $0 > 0 }
            && paddingHeight >= 0 && paddingWidth >= 0
            && 2 * paddingHeight <= kernelHeight && 2 * paddingWidth <= kernelWidth
            && inHeight + 2 * paddingHeight >= kernelHeight && inWidth + 2 * paddingWidth >= kernelWidth
    }

    var planes: Int { batch * channels }
    var inPlane: Int { inHeight * inWidth }
    var outPlane: Int { outHeight * outWidth }

    /// The input rows and columns of output pixel (oh, ow)'s window, clipped to the image,
    /// and the window's size clipped only to the padded image (PyTorch's avg-pool divisor).
    @inline(__always)
    func window(_ oh: Int, _ ow: Int) -> (rows: Range<Int>, columns: Range<Int>, paddedSize: Int) {
        let h0 = oh * strideHeight - paddingHeight, w0 = ow * strideWidth - paddingWidth
        let h1 = min(h0 + kernelHeight, inHeight + paddingHeight), w1 = min(w0 + kernelWidth, inWidth + paddingWidth)
        return (max(h0, 0)..<min(h1, inHeight), max(w0, 0)..<min(w1, inWidth), (h1 - h0) * (w1 - w0))
    }
}
