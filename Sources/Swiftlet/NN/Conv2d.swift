import SwiftletKernels

/// A 2-D convolution layer with `weight` [out, in/groups, kH, kW] and `bias` [out],
/// initialised as PyTorch's `nn.Conv2d` (U(−1/√fan_in, 1/√fan_in), fan_in = in/groups·kH·kW).
///
/// In evaluation mode, batches run without gradients use a copy of the weight in the form the
/// convolution multiplies with (`Conv2dForwardWeights`), made at the first such call and kept
/// until the weight changes or the layer runs in training mode again (`InferenceWeightCache`).
public final class Conv2d: Module, PrunableWeights, Quantizable, ReLUFusable {
    /// [out, in/groups, kH, kW]; pruning and quantization rewrite it in place.
    public var weight: Tensor
    /// [out], or nil for a layer built with `bias: false` (before a BatchNorm).
    public var bias: Tensor?
    public var quantization: LayerQuantization?
    /// Step of the kernel over height and width.
    public let stride: Size2D
    /// Zeros added on each side of height and width.
    public let padding: Size2D
    /// Spacing between kernel taps; 1 is an ordinary convolution.
    public let dilation: Size2D
    /// Channel groups convolved separately; `inChannels` for a depthwise convolution.
    public let groups: Int

    /// A layer mapping `inChannels` to `outChannels`, initialised from `generator` so that a seed fixes it.
    /// `bias: false` leaves the bias out, as before a BatchNorm that cancels it.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, generator: inout SeededRandom) {
        let shape = [outChannels, inChannels / max(groups, 1), kernelSize.height, kernelSize.width]
        weight = .kaimingUniform(shape, generator: &generator)
        let bound = 1 / Float(max(shape.dropFirst().reduce(1, *), 1)).squareRoot()
        self.bias = bias ? .uniform([outChannels], low: -bound, high: bound, requiresGrad: true, generator: &generator) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// A layer initialised from the global generator (`GlobalRandom.seed`).
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                            padding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                  groups: groups, bias: bias, generator: &GlobalRandom.generator)
    }

    /// Channels of the input, from the weight's shape (so it follows channel pruning).
    public var inChannels: Int { weight.shape[1] * groups }
    /// Channels of the output.
    public var outChannels: Int { weight.shape[0] }
    /// The kernel's height and width.
    public var kernelSize: Size2D { Size2D(weight.shape[2], weight.shape[3]) }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try forward(input, applyingReLU: false, maxPooling: nil)
    }

    func forwardFollowedByReLU(_ input: Tensor) throws -> Tensor {
        try forward(input, applyingReLU: true, maxPooling: nil)
    }

    /// `forward`, then max pooling by `maxPooling` (when given) and ReLU (when `applyingReLU`)
    /// in the same pass: only when `InferenceFusion.isAllowed`.
    func forward(_ input: Tensor, applyingReLU: Bool, maxPooling: MaxPool2d?) throws -> Tensor {
        let (x, w) = try quantized(input: input, weight: weight)
        return try conv2d(x, weight: w, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                          applyingReLU: applyingReLU, maxPooling: maxPooling.map { ($0.kernelSize, $0.stride, $0.padding) }) { g in
            inferenceWeights.prepared(for: w, of: self, own: weight, fits: { $0.fits(g) }) {
                w.scalars.withUnsafeBufferPointer { Conv2dForwardWeights(g, weight: $0.baseAddress!) }
            }
        }
    }

    /// The weight in the form the convolution multiplies with, kept between inference calls.
    private(set) var inferenceWeights = InferenceWeightCache<Conv2dForwardWeights>()

    public override var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var prunableWeights: [(name: String, tensor: Tensor)] { [("weight", weight)] }
    public var quantizableWeight: Tensor { weight }
}
