extension Sequential {
    /// Importance by measurement: for each unit (neuron or filter) of layer `name`, how much
    /// `evaluate()` changes when that unit alone is zeroed (`zeroUnits`) — what removing it
    /// costs, measured on the held-out data `evaluate` uses (a loss, or a test error).
    ///
    /// Returns evaluate(unit u zeroed) − evaluate(intact) per unit; the model is restored
    /// after each measurement. Pass the result to `pruneUnits(…, by: .scores(…))` to
    /// remove the units whose loss costs the least.
    public func unitSensitivity(ofLayer name: String, evaluate: () throws -> Double) throws -> [Double] {
        let path = try unitPath(name)
        var tensors = [path.producerWeight] + (path.producerBias.map { [$0] } ?? [])
        if let norm = path.batchNorm { tensors += [norm.weight, norm.bias] }
        let saved = tensors.map(\.scalars)
        let baseline = try evaluate()
        return try (0..<path.units).map { unit in
            defer { for (tensor, values) in zip(tensors, saved) { tensor.scalars = values } }
            try zeroUnits([unit], ofLayer: name)
            return try evaluate() - baseline
        }
    }
}
