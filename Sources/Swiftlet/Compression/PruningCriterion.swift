import SwiftletKernels

/// How unstructured pruning ranks weights: the lowest scores are removed first.
public enum PruningCriterion {
    /// Score |w|: the same ranking as `pruneByMagnitude(_, .sparsity(s))`, with exact counts.
    case magnitude
    /// Uniform random scores from a generator seeded with `seed`: the documents' baseline.
    case random(seed: UInt64)
    /// First-order Taylor importance (1/B) Σ_b |w · ∂L_b/∂w| over these batches, with
    /// cross-entropy as L (see `taylorImportance` for another loss).
    case taylor([LabeledBatch])
    /// Scores computed elsewhere, by parameter name (one per element); every selected
    /// tensor must have an entry.
    case scores([String: [Float]])
}

/// How many weights `prune(_:by:_:)` removes.
public enum SparsityTarget: Sendable {
    /// This fraction (0…1) of every selected tensor, ranked within the tensor.
    case uniform(Float)
    /// This fraction of all selected weights together: one ranking across tensors.
    case global(Float)
    /// A fraction per parameter name, e.g. `["fc1.weight": 0.92, "fc3.weight": 0.74]`;
    /// only the named tensors are pruned.
    case byName([String: Float])
}

/// Zeroes the lowest-ranked weights of `model` and returns the masks.
///
/// Exactly round(fraction · n) weights are removed (ties broken by position, so the result
/// is deterministic). Weights that `previous` already prunes stay pruned and count towards
/// the target: masks only grow, which is what iterative and gradual pruning need.
///
/// - Parameters:
///   - model: the model whose weights are zeroed, in place.
///   - criterion: how weights are ranked.
///   - target: how many weights to remove, and whether per layer or across layers.
///   - previous: masks from an earlier pruning, which stay pruned.
///   - select: which parameters may be pruned; by default Linear and Conv2d weights, never biases.
public func prune(
    _ model: Module, by criterion: PruningCriterion, _ target: SparsityTarget,
    keeping previous: PruningMasks? = nil, select: ((String, Tensor) -> Bool)? = nil
) throws -> PruningMasks {
    var chosen = model.parameters(selectedBy: select)
    if case let .byName(fractions) = target {
        if let unknown = fractions.keys.sorted().first(where: { name in !chosen.contains { $0.name == name } }) {
            throw PruningError.unknownParameter(unknown, selected: chosen.map(\.name))
        }
        chosen = chosen.filter { fractions[$0.name] != nil }
    }
    guard !chosen.isEmpty else {
        throw PruningError.nothingSelected(parameters: model.namedParameters.map(\.name))
    }
    var scores = try criterionScores(model, criterion, chosen)
    for (index, entry) in chosen.enumerated() {
        guard let old = previous?.entries.first(where: { $0.tensor === entry.tensor }) else { continue }
        for i in old.mask.indices where old.mask[i] == 0 { scores[index][i] = -.infinity }
    }

    var masks = chosen.map { [Float](repeating: 1, count: $0.tensor.count) }
    switch target {
    case let .uniform(fraction):
        try checkPruningFraction(fraction)
        for index in chosen.indices { removeLowest(fraction, of: scores[index]) { masks[index][$0] = 0 } }
    case let .byName(fractions):
        for (index, entry) in chosen.enumerated() {
            let fraction = fractions[entry.name] ?? 0
            try checkPruningFraction(fraction)
            removeLowest(fraction, of: scores[index]) { masks[index][$0] = 0 }
        }
    case let .global(fraction):
        try checkPruningFraction(fraction)
        let offsets = chosen.indices.map { index in chosen[..<index].reduce(0) { $0 + $1.tensor.count } }
        removeLowest(fraction, of: scores.flatMap { $0 }) { flat in
            let index = offsets.lastIndex { $0 <= flat }!
            masks[index][flat - offsets[index]] = 0
        }
    }
    var result = PruningMasks(entries: [])
    for (entry, mask) in zip(chosen, masks) {
        entry.tensor.scalars = entry.tensor.scalars.zipScalars(mask, *)
        result.entries.append((entry.name, entry.tensor, mask))
    }
    return result
}

/// Taylor importance of every selected weight: (1/B) Σ_b |w · ∂L_b/∂w| over the batches
/// (Molchanov et al. 2017, first order: the loss change if w were set to zero). The model
/// runs in evaluation mode; its gradients are cleared before and after.
public func taylorImportance(
    _ model: Module, batches: [LabeledBatch],
    loss: (_ logits: Tensor, _ batch: LabeledBatch) throws -> Tensor = { try crossEntropy($0, $1.labels) },
    select: ((String, Tensor) -> Bool)? = nil
) throws -> [String: [Float]] {
    guard !batches.isEmpty else {
        throw PruningError.noBatches
    }
    let chosen = model.parameters(selectedBy: select)
    let wasTraining = model.isTraining
    model.eval()
    defer {
        model.zeroGrad()
        if wasTraining { model.train() }
    }
    var importance = chosen.map { [Float](repeating: 0, count: $0.tensor.count) }
    for batch in batches {
        model.zeroGrad()
        try loss(try model(batch.images), batch).backward()
        for (index, entry) in chosen.enumerated() {
            guard let grad = entry.tensor.grad else { continue }
            importance[index].add(entry.tensor.scalars.zipScalars(grad.scalars) { abs($0 * $1) })
        }
    }
    let scale = 1 / Float(batches.count)
    return Dictionary(uniqueKeysWithValues: zip(chosen.map(\.name), importance.map { $0.mapScalars { $0 * scale } }))
}

private func criterionScores(
    _ model: Module, _ criterion: PruningCriterion, _ chosen: [(name: String, tensor: Tensor)]
) throws -> [[Float]] {
    switch criterion {
    case .magnitude:
        return chosen.map { $0.tensor.scalars.mapScalars(abs) }
    case let .random(seed):
        var generator = SeededRandom(seed: seed)
        return chosen.map { entry in (0..<entry.tensor.count).map { _ in generator.nextUniform() } }
    case let .taylor(batches):
        let names = Set(chosen.map(\.name))
        let importance = try taylorImportance(model, batches: batches, select: { name, _ in names.contains(name) })
        return chosen.map { importance[$0.name] ?? [] }
    case let .scores(byName):
        return try chosen.map { entry in
            guard let scores = byName[entry.name], scores.count == entry.tensor.count else {
                throw PruningError.scoreCountMismatch(target: "\"\(entry.name)\"", count: byName[entry.name]?.count ?? 0, expected: entry.tensor.count)
            }
            return scores
        }
    }
}

/// Calls `remove(i)` for the round(fraction · n) indices with the lowest scores.
private func removeLowest(_ fraction: Float, of scores: [Float], remove: (Int) -> Void) {
    let count = Int((Double(fraction) * Double(scores.count)).rounded())
    guard count > 0 else { return }
    let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    for i in order.prefix(count) { remove(i) }
}

func checkPruningFraction(_ fraction: Float) throws {
    guard fraction >= 0 && fraction <= 1 else {
        throw PruningError.sparsityOutOfRange(fraction, setting: "sparsity", accepted: "[0, 1]")
    }
}
