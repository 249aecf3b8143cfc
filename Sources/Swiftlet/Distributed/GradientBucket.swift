/// A few parameters whose gradients are averaged across ranks in one message: one allreduce
/// per bucket rather than per tensor (fewer, larger messages), and a bucket can start as soon
/// as backward has finished its own gradients, while earlier layers are still being computed.
final class GradientBucket {
    /// The parameters, in the order their gradients usually become ready (the model's last
    /// parameters first), and where each one's gradient starts in `buffer`.
    let members: [(parameter: Tensor, offset: Int)]
    /// The gradients, packed; summed in place across ranks.
    let buffer: UnsafeMutableBufferPointer<Float>
    private var ready = Set<ObjectIdentifier>()

    init(_ parameters: [Tensor]) {
        var offset = 0
        members = parameters.map { parameter in
            defer { offset += parameter.count }
            return (parameter, offset)
        }
        buffer = .allocate(capacity: offset)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Whether every member's gradient is in the buffer.
    var isComplete: Bool { ready.count == members.count }

    /// Copies `parameter`'s finished gradient into the buffer.
    func take(_ parameter: Tensor) {
        guard let offset = members.first(where: { $0.parameter === parameter })?.offset else { return }
        copy(parameter.grad?.scalars, at: offset, count: parameter.count)
        ready.insert(ObjectIdentifier(parameter))
    }

    /// Fills in zeros for the members backward did not reach (parameters this batch did not use),
    /// so that every rank sends the same buffer.
    func completeWithZeros() {
        for (parameter, offset) in members where !ready.contains(ObjectIdentifier(parameter)) {
            copy(parameter.grad?.scalars, at: offset, count: parameter.count)
            ready.insert(ObjectIdentifier(parameter))
        }
    }

    /// Writes the summed gradients, times `scale`, back into the parameters' `.grad`, and
    /// readies the bucket for the next step.
    func scatter(scale: Float) {
        for (parameter, offset) in members {
            let average = buffer[offset..<offset + parameter.count].map { $0 * scale }
            if let grad = parameter.grad { grad.scalars = average } else { parameter.grad = Tensor(shape: parameter.shape, scalars: average) }
        }
        ready.removeAll(keepingCapacity: true)
    }

    private func copy(_ gradient: [Float]?, at offset: Int, count: Int) {
        let target = UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + count])
        if let gradient { _ = target.update(fromContentsOf: gradient) } else { target.update(repeating: 0) }
    }
}
