/// Data-parallel training of one model across the ranks of a `Communicator` (PyTorch's
/// DistributedDataParallel): every rank holds the whole model and trains on its own shard of
/// each batch; after backward every gradient is the average over ranks, so every rank takes the
/// same optimizer step and the weights stay identical.
///
/// Gradients are averaged in buckets of about `bucketCapacity` scalars, in the reverse of the
/// parameters' order (the order backward finishes them): `trainEpoch` passes
/// `gradientReady(_:)` to `backward(afterLeafGradient:)`, which starts a bucket's sum as soon as
/// its last gradient is final, while backward goes on through earlier layers.
/// `averageGradients()` then starts what is left, waits, and divides by the number of ranks.
///
/// Buckets always start in the same order on every rank (a bucket waits for the ones before
/// it), since MPI matches collective operations by their order.
public final class DataParallel {
    /// The ranks the gradients are averaged across.
    public let communicator: any Communicator
    /// The parameters whose gradients are averaged (an optimizer's `parameters`).
    public let parameters: [Tensor]
    private let buckets: [GradientBucket]
    private let bucketIndex: [ObjectIdentifier: Int]
    private var nextToStart = 0
    /// Optimizer steps averaged so far, for error messages.
    private var step = 0

    /// Prepares buckets for `parameters`. `bucketCapacity` (scalars, default 256 Ki = 1 MiB, the
    /// size of DDP's first bucket) caps a bucket unless a single parameter is larger.
    public init(parameters: [Tensor], communicator: any Communicator, bucketCapacity: Int = 1 << 18) {
        self.communicator = communicator
        self.parameters = parameters
        var groups: [[Tensor]] = [[]]
        var filled = 0
        for parameter in parameters.reversed() {
            if filled > 0, filled + parameter.count > bucketCapacity {
                groups.append([])
                filled = 0
            }
            groups[groups.count - 1].append(parameter)
            filled += parameter.count
        }
        buckets = groups.filter { !$0.isEmpty }.map(GradientBucket.init)
        var index: [ObjectIdentifier: Int] = [:]
        for (number, bucket) in buckets.enumerated() {
            for member in bucket.members { index[ObjectIdentifier(member.parameter)] = number }
        }
        bucketIndex = index
    }

    /// How many scalars each bucket holds, in the order they are sent.
    public var bucketSizes: [Int] { buckets.map(\.buffer.count) }

    /// Gives every rank rank 0's parameters and buffers (BatchNorm's running statistics):
    /// the same starting point, whatever each rank's own initialisation drew. Throws
    /// `DistributedError.modelMismatch` if the ranks' models differ in size.
    public func broadcastState(of model: Module, what: String) throws {
        let tensors = model.stateDict.map(\.tensor)
        let total = tensors.reduce(0) { $0 + $1.count }
        // The count as two floats, each exact (below 2^24), up to 2^44 scalars.
        var rootTotal = [Float(total >> 20), Float(total & 0xF_FFFF)]
        try rootTotal.withUnsafeMutableBufferPointer { try communicator.broadcast($0, from: 0, what: "\(what) (size)") }
        let rootScalars = Int(rootTotal[0]) << 20 + Int(rootTotal[1])
        guard rootScalars == total else {
            throw DistributedError.modelMismatch(rank: communicator.rank, scalars: total, rootScalars: rootScalars)
        }
        var packed = tensors.flatMap(\.scalars)
        try packed.withUnsafeMutableBufferPointer { try communicator.broadcast($0, from: 0, what: what) }
        guard communicator.rank != 0 else { return }
        var offset = 0
        for tensor in tensors {
            tensor.scalars = Array(packed[offset..<offset + tensor.count])
            offset += tensor.count
        }
    }

    /// For `backward(afterLeafGradient:)`: takes `parameter`'s finished gradient into its bucket
    /// and starts every bucket that is now complete, in order.
    public func gradientReady(_ parameter: Tensor) throws {
        guard let number = bucketIndex[ObjectIdentifier(parameter)] else { return }
        buckets[number].take(parameter)
        try startCompleteBuckets()
        try communicator.progress()
    }

    /// Starts the buckets backward left unfinished, waits for every sum, and replaces each
    /// parameter's gradient by the average over ranks (a parameter this rank did not use gets one too).
    public func averageGradients() throws {
        step += 1
        for bucket in buckets[nextToStart...] { bucket.completeWithZeros() }
        try startCompleteBuckets()
        try communicator.finishSums(what: "the gradient average of step \(step)")
        let scale = 1 / Float(communicator.size)
        for bucket in buckets { bucket.scatter(scale: scale) }
        nextToStart = 0
    }

    private func startCompleteBuckets() throws {
        while nextToStart < buckets.count, buckets[nextToStart].isComplete {
            try communicator.startSum(buckets[nextToStart].buffer)
            nextToStart += 1
        }
    }
}
