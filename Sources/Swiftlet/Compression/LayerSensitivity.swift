/// How one layer's score responds to pruning that layer alone: one point per sparsity.
public struct LayerSensitivity {
    /// The parameter name, e.g. `"fc1.weight"`.
    public let name: String
    /// The sparsities tried (0…1), in order; `metrics` has one entry for each.
    public let sparsities: [Float]
    /// `evaluate()` with this tensor pruned to each sparsity (and every other tensor intact).
    public let metrics: [Double]
}

/// Per-layer sensitivity analysis (Han et al. 2015, fig. 5): prunes each selected tensor on
/// its own to each of `sparsities` by `criterion`, measures `evaluate()` (e.g. accuracy on
/// held-out data), and restores the tensor. The curves show which layers tolerate pruning.
///
/// - Returns: `evaluate()` of the intact model, and one curve per selected tensor in
///   parameter order — plain data for a plot.
public func layerSensitivity(
    _ model: Module, sparsities: [Float], criterion: PruningCriterion = .magnitude,
    select: ((String, Tensor) -> Bool)? = nil, evaluate: () throws -> Double
) throws -> (baseline: Double, layers: [LayerSensitivity]) {
    for fraction in sparsities { try checkPruningFraction(fraction) }
    let chosen = model.parameters(selectedBy: select)
    guard !chosen.isEmpty else {
        throw PruningError.nothingSelected(parameters: model.namedParameters.map(\.name))
    }
    let baseline = try evaluate()
    let layers = try chosen.map { name, tensor in
        let saved = tensor.scalars
        defer { tensor.scalars = saved }
        let metrics = try sparsities.map { fraction in
            tensor.scalars = saved
            _ = try prune(model, by: criterion, .byName([name: fraction]), select: select)
            return try evaluate()
        }
        return LayerSensitivity(name: name, sparsities: sparsities, metrics: metrics)
    }
    return (baseline, layers)
}
