/// Which weights unstructured magnitude pruning removes: those with |w| below a threshold.
public enum MagnitudeThreshold {
    /// θ = mean |w| of each tensor (the seed-000 document's rule).
    case meanAbsolute
    /// A fixed θ for every tensor, e.g. 0.1 (the seed-003 document's rule).
    case fixed(Float)
    /// Per tensor, θ chosen so that this fraction (0…1) of its weights is removed.
    case sparsity(Float)
    /// One θ across all selected tensors, chosen so that this fraction of all of them is removed.
    case globalSparsity(Float)
}

/// 0/1 masks for pruned tensors, by parameter name. Applying them to an optimizer keeps
/// the pruned weights at zero through retraining.
public struct PruningMasks {
    /// Each masked tensor with its name and a 0/1 mask of the same element count.
    public var entries: [(name: String, tensor: Tensor, mask: [Float])]

    /// Fraction (0…1) of the masked tensors' elements that are pruned.
    public var sparsity: Double {
        let total = entries.reduce(0) { $0 + $1.mask.count }
        let pruned = entries.reduce(0) { $0 + $1.mask.filter { $0 == 0 }.count }
        return total == 0 ? 0 : Double(pruned) / Double(total)
    }

    /// Makes `optimizer` keep every masked weight at zero (gradients and state included).
    public func apply(to optimizer: Optimizer) throws {
        for entry in entries { try optimizer.setMask(entry.mask, for: entry.tensor) }
    }
}

/// How a layer that does not adopt `PrunableWeights` offers its weights: every tensor of rank
/// ≥ 2 named like a weight (a matrix or kernel, never a bias or normalisation parameter).
public func isPrunableWeight(name: String, tensor: Tensor) -> Bool {
    name.hasSuffix("weight") && tensor.rank >= 2
}

extension Module {
    /// The weights unstructured pruning works on by default, by dotted name: what each
    /// `PrunableWeights` layer lists, and each other module's own tensors that
    /// `isPrunableWeight` accepts.
    public var prunableParameters: [(name: String, tensor: Tensor)] {
        namedModules.flatMap { path, module in
            let own = (module as? PrunableWeights)?.prunableWeights ?? module.localParameters.filter { isPrunableWeight(name: $0.name, tensor: $0.tensor) }
            return own.map { (name: path.isEmpty ? $0.name : "\(path).\($0.name)", tensor: $0.tensor) }
        }
    }

    /// The parameters `select` picks, by dotted name; the prunable ones when it is nil.
    public func parameters(selectedBy select: ((String, Tensor) -> Bool)?) -> [(name: String, tensor: Tensor)] {
        guard let select else { return prunableParameters }
        return namedParameters.filter { select($0.name, $0.tensor) }
    }
}

/// Zeroes the weights of `model` whose magnitude is below the threshold and returns the
/// masks. `select` picks the tensors by name (by default: `prunableParameters`).
public func pruneByMagnitude(
    _ model: Module, _ threshold: MagnitudeThreshold,
    select: ((String, Tensor) -> Bool)? = nil
) throws -> PruningMasks {
    let chosen = model.parameters(selectedBy: select)
    guard !chosen.isEmpty else {
        throw PruningError.nothingSelected(parameters: model.namedParameters.map(\.name))
    }
    var globalTheta: Float?
    if case let .globalSparsity(fraction) = threshold {
        try checkFraction(fraction)
        globalTheta = quantileOfMagnitudes(chosen.flatMap(\.tensor.scalars), fraction)
    }
    var masks = PruningMasks(entries: [])
    for (name, tensor) in chosen {
        let theta: Float
        switch threshold {
        case .meanAbsolute:
            theta = tensor.scalars.reduce(0) { $0 + abs($1) } / Float(max(tensor.count, 1))
        case let .fixed(value):
            theta = value
        case let .sparsity(fraction):
            try checkFraction(fraction)
            theta = quantileOfMagnitudes(tensor.scalars, fraction)
        case .globalSparsity:
            theta = globalTheta ?? 0
        }
        let mask = tensor.scalars.map { abs($0) < theta ? Float(0) : 1 }
        tensor.scalars = tensor.scalars.zipScalars(mask, *)
        masks.entries.append((name, tensor, mask))
    }
    return masks
}

private func checkFraction(_ fraction: Float) throws {
    guard fraction >= 0 && fraction < 1 else {
        throw PruningError.sparsityOutOfRange(fraction, setting: "sparsity", accepted: "[0, 1)")
    }
}

/// The smallest magnitude θ such that pruning |w| < θ removes `fraction` of `values`.
private func quantileOfMagnitudes(_ values: [Float], _ fraction: Float) -> Float {
    let sorted = values.map(abs).sorted()
    let cut = Int((Double(fraction) * Double(sorted.count)).rounded())
    return cut == 0 ? 0 : (cut >= sorted.count ? .infinity : sorted[cut])
}
