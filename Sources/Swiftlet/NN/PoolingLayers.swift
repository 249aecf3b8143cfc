/// Max-pooling layer (`nn.MaxPool2d`); `stride` defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D

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
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D, countIncludePad: Bool

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
    public override init() {}

    public override func forward(_ input: Tensor) throws -> Tensor {
        try globalAvgPool2d(input)
    }
}
