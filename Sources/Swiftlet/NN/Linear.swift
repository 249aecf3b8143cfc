import SwiftletKernels

/// A fully connected layer y = x·Wᵀ + b, with `weight` [out, in] and `bias` [out]
/// initialised as PyTorch's `nn.Linear` (U(−1/√in, 1/√in) for both).
///
/// In evaluation mode, batches run without gradients use a copy of the weight packed for the
/// matrix product, made at the first such call and kept (as much memory as the weight) until
/// the weight changes or the layer runs in training mode again (`InferenceWeightCache`).
public final class Linear: Module, PrunableWeights, Quantizable, ReLUFusable {
    /// W [out, in]; pruning and quantization rewrite it in place.
    public var weight: Tensor
    /// b [out], or nil for a layer built with `bias: false`.
    public var bias: Tensor?
    public var quantization: LayerQuantization?

    /// A layer mapping `inFeatures` to `outFeatures`, initialised from `generator` so that a seed fixes it.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                generator: inout SeededRandom) {
        weight = .kaimingUniform([outFeatures, inFeatures], generator: &generator)
        let bound = 1 / Float(max(inFeatures, 1)).squareRoot()
        self.bias = bias ? .uniform([outFeatures], low: -bound, high: bound, requiresGrad: true, generator: &generator) : nil
    }

    /// A layer initialised from the global generator (`GlobalRandom.seed`).
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.init(inFeatures, outFeatures, bias: bias, generator: &GlobalRandom.generator)
    }

    /// Inputs, from the weight's shape (so it follows pruning of input channels).
    public var inFeatures: Int { weight.shape[1] }
    /// Outputs, from the weight's shape.
    public var outFeatures: Int { weight.shape[0] }

    public override func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 2, input.shape[1] == inFeatures else {
            throw TensorError.unexpectedShape(op: "Linear(\(inFeatures), \(outFeatures))", input.shape, expected: "input [batch, \(inFeatures)]")
        }
        let (x, w) = try quantized(input: input, weight: weight)
        return try x.linear(weight: w, bias: bias, applyingReLU: false, packedWeight: packedWeight(for: w, batch: x.shape[0]))
    }

    func forwardFollowedByReLU(_ input: Tensor) throws -> Tensor {
        guard input.rank == 2, input.shape[1] == inFeatures else { return try forward(input).relu() }
        let (x, w) = try quantized(input: input, weight: weight)
        return try x.linear(weight: w, bias: bias, applyingReLU: true, packedWeight: packedWeight(for: w, batch: x.shape[0]))
    }

    /// The weight packed for `sgemm`, kept between inference calls.
    private(set) var inferenceWeight = InferenceWeightCache<GEMMPackedOperand>()

    /// The packed weight for a product of `w` with `batch` rows, or nil where packing once
    /// does not pay (one row takes a matrix–vector product) or `inferenceWeight` keeps none.
    private func packedWeight(for w: Tensor, batch: Int) -> GEMMPackedOperand? {
        guard batch > 1, inFeatures > 0, outFeatures > 0 else { return nil }
        return inferenceWeight.prepared(for: w, of: self, own: weight) {
            w.scalars.withUnsafeBufferPointer {
                GEMMPackedOperand(b: $0.baseAddress!, ldb: inFeatures, transposed: true, k: inFeatures, n: outFeatures)
            }
        }
    }

    public override var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var prunableWeights: [(name: String, tensor: Tensor)] { [("weight", weight)] }
    public var quantizableWeight: Tensor { weight }
}
