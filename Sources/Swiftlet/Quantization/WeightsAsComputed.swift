extension Module {
    /// Runs `body` with each quantized layer's weight holding its quantized values — what the
    /// layer computes with and what `QuantizedCheckpoint` stores — and gives the float
    /// ("shadow") weights back afterwards. Measurements taken inside (zeros, sizes, FLOPs)
    /// then describe the model that runs, and agree with those of its written checkpoint.
    public func withWeightsAsComputed<Result>(_ body: () throws -> Result) throws -> Result {
        var shadows: [(tensor: Tensor, scalars: [Float])] = []
        defer { for (tensor, scalars) in shadows { tensor.scalars = scalars } }
        for (_, layer) in quantizedLayers {
            guard let format = layer.quantization?.weightFormat else { continue }
            let weight = layer.quantizableWeight
            let computed = try withNoGrad { try weight.fakeQuantized(as: format) }.scalars
            shadows.append((weight, weight.scalars))
            weight.scalars = computed
        }
        return try body()
    }
}
