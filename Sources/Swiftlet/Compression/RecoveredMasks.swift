extension PruningMasks {
    /// The masks of an already pruned model — e.g. loaded from a checkpoint, which stores
    /// pruned weights as zeros and no masks: 0 where a selected weight is exactly zero.
    public init(zerosOf model: Module, select: ((String, Tensor) -> Bool)? = nil) {
        self.init(entries: model.parameters(selectedBy: select).map { name, tensor in
            (name, tensor, tensor.scalars.map { $0 == 0 ? 0 : 1 })
        })
    }
}
