/// Shape of a 2-D convolution in NCHW layout, with PyTorch semantics
/// (zero padding, dilation, groups).
///
/// - input `[batch, inChannels, inHeight, inWidth]`
/// - weight `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
/// - output `[batch, outChannels, outHeight, outWidth]`
public struct Conv2dGeometry: Hashable, Sendable {
    public var batch: Int
    public var inChannels: Int
    public var inHeight: Int
    public var inWidth: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var paddingHeight: Int
    public var paddingWidth: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    public var groups: Int

    public init(
        batch: Int, inChannels: Int, inHeight: Int, inWidth: Int,
        outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int = 1, strideWidth: Int = 1,
        paddingHeight: Int = 0, paddingWidth: Int = 0,
        dilationHeight: Int = 1, dilationWidth: Int = 1,
        groups: Int = 1
    ) {
        self.batch = batch
        self.inChannels = inChannels
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight
        self.paddingWidth = paddingWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.groups = groups
    }

    /// `(inHeight + 2·padding − dilation·(kernel − 1) − 1) / stride + 1`, as PyTorch.
    public var outHeight: Int {
        Self.outSize(inHeight, kernelHeight, strideHeight, paddingHeight, dilationHeight)
    }

    public var outWidth: Int {
        Self.outSize(inWidth, kernelWidth, strideWidth, paddingWidth, dilationWidth)
    }

    /// True when every size is positive, padding is non-negative, both channel counts
    /// divide by `groups`, and the output is at least 1×1.
    public var isValid: Bool {
        let positive = [batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth,
                        strideHeight, strideWidth, dilationHeight, dilationWidth, groups]
        return positive.allSatisfy { $0 > 0 }
            && paddingHeight >= 0 && paddingWidth >= 0
            && inChannels % groups == 0 && outChannels % groups == 0
            && outHeight >= 1 && outWidth >= 1
    }

    /// Input channels seen by one output channel.
    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }
    /// Rows of the im2col matrix of one group: `inChannelsPerGroup · kernelHeight · kernelWidth`.
    public var patchSize: Int { inChannelsPerGroup * kernelHeight * kernelWidth }
    public var inPlane: Int { inHeight * inWidth }
    public var outPlane: Int { outHeight * outWidth }
    /// Multiply-adds of one forward pass over the whole batch.
    public var multiplyAdds: Int { batch * outChannels * outPlane * patchSize }

    private static func outSize(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int) -> Int {
        let span = size + 2 * padding - dilation * (kernel - 1) - 1
        // A negative span (kernel wider than the padded input) means no output at all.
        return span < 0 || stride <= 0 ? 0 : span / stride + 1
    }
}
