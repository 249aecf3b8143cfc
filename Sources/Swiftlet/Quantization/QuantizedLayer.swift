/// A `Linear` or `Conv2d` that computes with fake-quantized weights, and inputs when it has
/// an `inputQuantizer`: the layer quantization-aware training trains and calibration
/// calibrates. Its parameters are the wrapped layer's float ("shadow") weights, under the
/// same names (`fc1.weight`), so optimizers, masks and state dicts work unchanged.
public final class QuantizedLayer: Module {
    /// The float layer; its tensors are this layer's parameters.
    public let layer: Module
    public let weightFormat: QuantizationFormat
    public let inputQuantizer: ActivationQuantizer?

    /// Throws unless `layer` is a `Linear` or `Conv2d`.
    public init(_ layer: Module, weightFormat: QuantizationFormat, inputQuantizer: ActivationQuantizer? = nil) throws {
        if let linear = layer as? Linear {
            (weight, bias) = (linear.weight, linear.bias)
        } else if let conv = layer as? Conv2d {
            (weight, bias) = (conv.weight, conv.bias)
        } else {
            throw TensorError.invalidArgument(op: "QuantizedLayer", "only Linear and Conv2d layers are quantized, got \(type(of: layer))")
        }
        self.layer = layer
        self.weightFormat = weightFormat
        self.inputQuantizer = inputQuantizer
    }

    /// The float weight tensor ([out, in] or [out, in, kH, kW]).
    public let weight: Tensor
    public let bias: Tensor?

    public override var localParameters: [(name: String, tensor: Tensor)] { layer.localParameters }
    // The wrapped layer is not a child: its tensors are listed above without a prefix.
    public override var children: [(name: String, module: Module)] { [] }

    public override func callAsFunction(_ input: Tensor) throws -> Tensor {
        let x = inputQuantizer?(input) ?? input
        let w = try weight.fakeQuantized(as: weightFormat)
        if let conv = layer as? Conv2d {
            return try conv2d(x, weight: w, bias: bias, stride: conv.stride, padding: conv.padding,
                              dilation: conv.dilation, groups: conv.groups)
        }
        guard x.rank == 2, x.shape[1] == w.shape[1] else {
            throw TensorError.invalidArgument(op: "QuantizedLayer(Linear)", "expects input [batch, \(w.shape[1])], got shape \(x.shape)")
        }
        return try x.linear(weight: w, bias: bias)
    }
}

extension QuantizedLayer: CountsMACs {
    /// The wrapped layer's multiply-accumulates: quantization changes their width, not their number.
    func macs(outputShape: [Int]) -> (dense: Int, nonzero: Int) {
        (layer as? CountsMACs)?.macs(outputShape: outputShape) ?? (0, 0)
    }
}
