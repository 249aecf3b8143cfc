extension PruningMasks {
    /// The masks of an already pruned model — e.g. loaded from a checkpoint, which stores
    /// pruned weights as zeros and no masks: 0 where a selected weight is exactly zero.
    public init(zerosOf model: Module, select: (String, Tensor) -> Bool = isPrunableWeight) {
        self.init(entries: model.namedParameters.filter { select($0.name, $0.tensor) }.map { name, tensor in
            (name, tensor, tensor.scalars.map { $0 == 0 ? 0 : 1 })
        })
    }
}
