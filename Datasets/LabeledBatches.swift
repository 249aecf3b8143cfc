import Swiftlet

// The bridge from a loader's batches to what a model trains on: every training script needs
// it, so it is here rather than written again in each one.

extension LabeledBatch {
    /// A loader's batch as a tensor [N, C, H, W] and integer class labels.
    public init(_ batch: Batch) {
        self.init(images: Tensor(shape: batch.shape, scalars: batch.images), labels: batch.labels.map(Int.init))
    }
}

extension BatchLoader {
    /// One epoch's batches ready for a model: `for batch in loader.labeledBatches(epoch: e) { … }`.
    /// Each next batch is prepared in the background, as with `batches(epoch:)`.
    public func labeledBatches(epoch: Int = 0) -> LazyMapSequence<BatchSequence, LabeledBatch> {
        labeledBatches(epoch: epoch, shard: .whole)
    }

    /// One data-parallel rank's `shard` of an epoch's batches, ready for a model.
    public func labeledBatches(epoch: Int, shard: DatasetShard) -> LazyMapSequence<BatchSequence, LabeledBatch> {
        batches(epoch: epoch, shard: shard).lazy.map(LabeledBatch.init)
    }
}
