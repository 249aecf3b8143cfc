extension Module {
    /// Importance by measurement: for each unit (neuron or filter) of the layer at `name`,
    /// how much `evaluate()` changes when that unit alone is zeroed (`zeroUnits`, its whole
    /// dependency group's slices) — what removing it costs, measured on the held-out data
    /// `evaluate` uses (a loss, or a test error).
    ///
    /// Returns evaluate(unit u zeroed) − evaluate(intact) per unit; the model is restored
    /// after each measurement. Pass the result to `pruneUnits(…, by: .scores(…))` to
    /// remove the units whose loss costs the least.
    public func unitSensitivity(ofLayer name: String, inputShape: [Int], evaluate: () throws -> Double) throws -> [Double] {
        let dependencies = try channelDependencies(inputShape: inputShape)
        let group = try unitGroup(name, dependencies)
        let tensors = dependencies.members(of: group.index).filter { $0.role != .consumer }.map(\.tensor)
        let saved = tensors.map(\.scalars)
        let baseline = try evaluate()
        return try (0..<group.channels).map { unit in
            defer { for (tensor, values) in zip(tensors, saved) { tensor.scalars = values } }
            try dependencies.zero([group.index: [unit]])
            return try evaluate() - baseline
        }
    }
}
