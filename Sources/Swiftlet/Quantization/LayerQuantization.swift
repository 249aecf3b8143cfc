/// How a `Quantizable` layer rounds what it computes with: its weight in `weightFormat`
/// (scales from the weight's own values) and, with an `inputQuantizer`, its input on that
/// quantizer's grid. Set by `prepareQuantization`; the layer keeps its float ("shadow")
/// weights, under the same names, so optimizers, masks and state dicts work unchanged.
public struct LayerQuantization {
    /// The format the weight is rounded to in every forward pass.
    public let weightFormat: QuantizationFormat
    /// Rounds the layer's input, or nil to leave it in float.
    public let inputQuantizer: ActivationQuantizer?

    /// Weight rounding, and optionally input rounding, for one layer.
    public init(weightFormat: QuantizationFormat, inputQuantizer: ActivationQuantizer? = nil) {
        self.weightFormat = weightFormat
        self.inputQuantizer = inputQuantizer
    }
}

extension Quantizable {
    /// The input and weight as the layer computes with them: fake-quantized when
    /// `quantization` is set. A traced graph records the float computation and the int8
    /// engine reads `quantization` instead, so while tracing both pass unchanged.
    public func quantized(input: Tensor, weight: Tensor) throws -> (input: Tensor, weight: Tensor) {
        guard let quantization, GraphRecorder.active == nil else { return (input, weight) }
        return (quantization.inputQuantizer?(input) ?? input, try weight.fakeQuantized(as: quantization.weightFormat))
    }

    /// The state-dict name of `quantizableWeight` within this layer ("weight").
    var quantizableWeightName: String? {
        localParameters.first { $0.tensor === quantizableWeight }?.name
    }
}
