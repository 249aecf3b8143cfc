/// Max-pooling layer (`nn.MaxPool2d`); `stride` defaults to the kernel size.
public final class MaxPool2d: Module {
    /// Window size, step and zero padding, as for `maxPool2d(_:kernelSize:stride:padding:)`.
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D

    /// Pools `kernelSize` windows; `stride` nil steps by the window size.
    public init(_ kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Average-pooling layer (`nn.AvgPool2d`); `stride` defaults to the kernel size.
public final class AvgPool2d: Module {
    /// Window size, step, padding, and whether padding counts in each mean's divisor.
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D, countIncludePad: Bool

    /// Pools `kernelSize` windows; `stride` nil steps by the window size.
    public init(_ kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Global average pooling (`nn.AdaptiveAvgPool2d(1)`): [N, C, H, W] → [N, C, 1, 1], the
/// mean of each channel plane.
public final class GlobalAvgPool2d: Module {
    /// The layer; it has no settings.
    public override init() {}

    public override func forward(_ input: Tensor) throws -> Tensor {
        try globalAvgPool2d(input)
    }
}
