// Fake quantization: the forward pass rounds values to what the quantized model will see
// (quantize, then dequantize, in Float); the backward pass is the straight-through estimator.
//
// Rounding has derivative 0 almost everywhere, so the true gradient would stop training.
// The straight-through estimator (Bengio et al. 2013) pretends the rounding is the identity.
// Swiftlet uses the *clipped* variant of torch.ao's FakeQuantize and TF-MOT: the gradient
// passes where the input lies inside the quantizer's range and is 0 where the value was
// clamped — there the output really is constant in the input, and passing the gradient would
// let weights drift outside the range with no effect on the loss. Sign-like quantizers
// (binary, ternary) have no range to clip, so they use BinaryConnect's hard-tanh estimator:
// pass where |w| ≤ 1. Float16 passes wherever the value does not overflow to ±∞.

extension Tensor {
    /// The tensor as `format` would store it, with scales from its own values (min-max,
    /// per tensor or channel): what quantization-aware training applies to weights.
    public func fakeQuantized(as format: QuantizationFormat) throws -> Tensor {
        // Affine and float16 in one pass: the codes QuantizedTensor(quantizing:as:) would hold,
        // straight to the values its dequantized() gives, without building either (training
        // rounds every quantized weight at every step).
        let x = scalars
        var values: [Float], passes: [Bool]
        switch format {
        case let .affine(scheme):
            values = [Float](repeating: 0, count: x.count)
            passes = [Bool](repeating: false, count: x.count)
            let channels = try channelCount(of: shape, scheme.granularity)
            let length = x.count / channels
            for channel in 0..<channels {
                let range = channel * length..<(channel + 1) * length
                let p = scheme.parameters(minimum: x[range].min() ?? 0, maximum: x[range].max() ?? 0)
                for i in range {
                    values[i] = scheme.value(of: scheme.code(of: x[i], p), p)
                    passes[i] = scheme.isInRange(x[i], p)
                }
            }
        case .float16:
            values = x.map { HalfPrecision.value(ofBits: HalfPrecision.bits(of: $0)) }
            passes = x.map { abs($0) < 65520 }
        case .binary, .ternary:
            values = try QuantizedTensor(quantizing: self, as: format).dequantized().scalars
            passes = x.map { abs($0) <= 1 }
        }
        return straightThrough("fakeQuantize(\(format))", values, passes)
    }

    /// The tensor rounded to `scheme`'s per-tensor grid with fixed `parameters` (from an
    /// observer): what quantization-aware training applies to activations.
    public func fakeQuantized(_ scheme: QuantizationScheme, _ parameters: AffineParameters) -> Tensor {
        let values = scalars.mapScalars { scheme.value(of: scheme.code(of: $0, parameters), parameters) }
        return straightThrough("fakeQuantize(\(scheme))", values, scalars.map { scheme.isInRange($0, parameters) })
    }

    private func straightThrough(_ operation: String, _ values: [Float], _ passes: [Bool]) -> Tensor {
        Tensor.result(of: .other(operation), shape: shape, scalars: values, inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: .generate(count: g.count) { passes[$0] ? g.scalars[$0] : 0 })]
        }
    }
}

extension QuantizationScheme {
    /// Whether `x` falls inside the quantizer's range, i.e. is rounded rather than clamped.
    @inline(__always)
    func isInRange(_ x: Float, _ p: AffineParameters) -> Bool {
        let scaled = x / p.scale
        let level = (rounding == .nearest ? scaled.rounded(.toNearestOrEven) : scaled.rounded(.down)) + Float(p.zeroPoint)
        return level >= Float(codeRange.lowerBound) && level <= Float(codeRange.upperBound)
    }
}
