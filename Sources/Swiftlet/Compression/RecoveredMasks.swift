// A checkpoint stores pruned weights as zeros and no masks, and every command that trains
// from a checkpoint follows one rule: a prunable weight that is exactly zero is pruned and
// stays zero. (An exactly-zero weight in a dense trained model is vanishingly rare, and
// holding it at zero costs nothing.)

extension PruningMasks {
    /// The masks of an already pruned model — e.g. loaded from a checkpoint: 0 where a
    /// selected weight is exactly zero. Tensors without a zero get no mask (nothing to hold),
    /// so a dense model's optimizer does no masking work at all.
    public init(zerosOf model: Module, select: ((String, Tensor) -> Bool)? = nil) {
        self.init(entries: model.parameters(selectedBy: select).compactMap { name, tensor in
            let mask = tensor.scalars.map { $0 == 0 ? Float(0) : 1 }
            return mask.contains(0) ? (name, tensor, mask) : nil
        })
    }
}

extension Optimizer {
    /// Keeps every exactly-zero prunable weight of `model` at zero from now on (see
    /// `PruningMasks(zerosOf:)`): how training continues from a pruned checkpoint.
    public func holdZeros(of model: Module) throws {
        try PruningMasks(zerosOf: model).apply(to: self)
    }
}
