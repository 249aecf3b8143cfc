/// The shapes of a 2-D convolution, NCHW, with PyTorch's semantics: input
/// [batch, inChannels, inHeight, inWidth], weight [outChannels, inChannels/groups,
/// kernelHeight, kernelWidth], output [batch, outChannels, outHeight, outWidth].
public struct Conv2dGeometry: Hashable, Sendable {
    public var batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth: Int
    public var strideHeight, strideWidth, paddingHeight, paddingWidth, dilationHeight, dilationWidth, groups: Int

    public init(
        batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int = 1, strideWidth: Int = 1, paddingHeight: Int = 0, paddingWidth: Int = 0,
        dilationHeight: Int = 1, dilationWidth: Int = 1, groups: Int = 1
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

    public var outHeight: Int {
        (inHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }

    public var outWidth: Int {
        (inWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }

    /// Positive sizes, channels divisible by groups, and at least one output pixel.
    public var isValid: Bool {
        let positive = [batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth,
                        strideHeight, strideWidth, dilationHeight, dilationWidth, groups].allSatisfy { $0 > 0 }
        return positive && paddingHeight >= 0 && paddingWidth >= 0
            && inChannels % groups == 0 && outChannels % groups == 0
            && inHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1 >= 0
            && inWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1 >= 0
    }

    var groupInChannels: Int { inChannels / groups }
    var groupOutChannels: Int { outChannels / groups }
    /// Rows of the im2col matrix of one group: one per (channel, kernel row, kernel column).
    var patchSize: Int { groupInChannels * kernelHeight * kernelWidth }
    var outPlane: Int { outHeight * outWidth }
    var inPlane: Int { inHeight * inWidth }
    /// A 1×1, stride-1, unpadded convolution needs no im2col: the input already is the matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && paddingHeight == 0 && paddingWidth == 0
    }
}
