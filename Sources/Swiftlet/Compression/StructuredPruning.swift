// Structured pruning: whole channels — a conv's filters, a linear layer's neurons — are
// removed *physically*, from every tensor of their dependency group at once
// (ChannelDependencies.swift), so the pruned model is a smaller dense model. It works on
// any model: the tensors shrink in place (`Tensor.resize`), and layers read their sizes off
// their tensors, so a layer of your own shrinks as long as it does too.

/// How the channels of a group are ranked; the lowest are removed.
public enum UnitImportance {
    /// Σ |w| over each channel's producing weights (Li et al. 2017, "Pruning Filters for
    /// Efficient ConvNets"), summed over the group's producers.
    case l1Norm
    /// √(Σ w²) per producer, summed over the group's producers.
    case l2Norm
    /// One score per channel computed elsewhere, e.g. the loss increase from `unitSensitivity`.
    case scores([Double])
}

/// What a channel-pruning pass removed.
public struct ChannelPruning {
    /// The model's dependency groups before pruning.
    public let groups: [ChannelDependencies.Group]
    /// Removed channels (original numbering, ascending) by group index.
    public let removed: [Int: [Int]]
    /// Multiply-accumulates per image before and after.
    public let macsBefore: Int
    /// Multiply-accumulates per image after pruning.
    public let macsAfter: Int
}

extension ChannelDependencies {
    /// The importance of every channel of group `index`.
    public func importance(ofGroup index: Int, _ importance: UnitImportance) throws -> [Double] {
        let group = groups[index]
        if case let .scores(scores) = importance {
            guard scores.count == group.channels else {
                throw PruningError.scoreCountMismatch(target: "the channel group of \(group.producers.joined(separator: ", "))", count: scores.count, expected: group.channels)
            }
            return scores
        }
        var total = [Double](repeating: 0, count: group.channels)
        for member in members(of: index) where member.role == .producer && member.tensor.rank >= 2 && member.axis == 0 {
            let perChannel = member.tensor.count / max(group.channels, 1)
            let values = member.tensor.scalars
            for channel in 0..<group.channels {
                let slice = values[channel * perChannel ..< (channel + 1) * perChannel]
                total[channel] += importance.isL1 ? slice.reduce(0.0) { $0 + Double(abs($1)) }
                                                  : slice.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
            }
        }
        return total
    }

    /// The `fraction` (0…1) of group `index`'s channels that rank lowest, ascending; at
    /// least one channel stays, and with `roundTo` the channels kept are a multiple of it
    /// (the nearest to what the fraction keeps; all of them in a group smaller than it).
    public func lowestChannels(ofGroup index: Int, fraction: Float, by importance: UnitImportance, roundTo: Int = 1) throws -> [Int] {
        try checkPruningFraction(fraction)
        let order = try ranked(ofGroup: index, importance)
        return Array(order.prefix(removedCount(order.count, fraction: Double(fraction), roundTo: roundTo))).sorted()
    }

    /// Group `index`'s channels from the least to the most important (ties by index).
    func ranked(ofGroup index: Int, _ importance: UnitImportance) throws -> [Int] {
        let scores = try self.importance(ofGroup: index, importance)
        return scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }

    /// Removes `removed` channels (by group index) physically from every member tensor.
    /// Layers' tensors shrink in place: build a new optimizer afterwards.
    public func remove(_ removed: [Int: [Int]]) throws {
        let sets = try checked(removed)
        var done = Set<String>()
        for member in members where done.insert("\(member.name)#\(member.axis)").inserted {
            member.tensor.keep(keptIndices(member, removing: sets), alongAxis: member.axis)
        }
    }

    /// Zeroes `removed` channels in place — every producing and channel-wise slice — without
    /// changing a shape: what `remove` is equivalent to.
    public func zero(_ removed: [Int: [Int]]) throws {
        let sets = try checked(removed)
        for member in members where member.role != .consumer {
            let kept = Set(keptIndices(member, removing: sets))
            member.tensor.zero(alongAxis: member.axis, except: kept)
        }
    }

    /// The removals as sets, after checking each names a prunable group, channels in range,
    /// and leaves a channel.
    private func checked(_ removed: [Int: [Int]]) throws -> [Int: Set<Int>] {
        var sets: [Int: Set<Int>] = [:]
        for (index, channels) in removed where !channels.isEmpty {
            guard groups.indices.contains(index) else {
                throw PruningError.noChannelGroup(index, groups: groups.count)
            }
            let group = groups[index]
            if let reason = group.blockedReason {
                throw PruningError.channelsBlocked(layers: group.producers, reason: reason)
            }
            if let bad = channels.first(where: { $0 < 0 || $0 >= group.channels }) {
                throw PruningError.channelOutOfRange(bad, layers: group.producers, channels: group.channels)
            }
            let unique = Set(channels)
            guard unique.count < group.channels else {
                throw PruningError.removesEveryChannel(layers: group.producers, channels: group.channels)
            }
            sets[index] = unique
        }
        return sets
    }
}

/// How many of `channels` a `fraction` removes: at least one channel stays, and the channels
/// kept are the multiple of `roundTo` nearest to what the fraction keeps (all of them when
/// there are fewer than `roundTo`).
private func removedCount(_ channels: Int, fraction: Double, roundTo: Int) -> Int {
    let kept = channels - min(Int((fraction * Double(channels)).rounded()), channels - 1)
    let step = max(roundTo, 1)
    return channels - min(channels, max(step, Int((Double(kept) / Double(step)).rounded()) * step))
}

extension UnitImportance {
    fileprivate var isL1: Bool {
        if case .l1Norm = self { return true }
        return false
    }
}

extension Module {
    /// The channel dependency groups of this model for inputs of `inputShape` (without the
    /// batch dimension).
    public func channelDependencies(inputShape: [Int]) throws -> ChannelDependencies {
        try ChannelDependencies(self, inputShape: inputShape)
    }

    /// Removes the same `fraction` of the lowest-ranked channels from every prunable group
    /// that `select` accepts (all by default), physically; with `roundTo`, every group keeps a
    /// multiple of it (SIMD-friendly counts: 8 keeps vector lanes and runtimes' blocked layouts full).
    @discardableResult
    public func pruneChannels(inputShape: [Int], fraction: Float, by importance: UnitImportance = .l1Norm, roundTo: Int = 1,
                              select: (ChannelDependencies.Group) -> Bool = { _ in true }) throws -> ChannelPruning {
        let dependencies = try channelDependencies(inputShape: inputShape)
        let chosen = dependencies.groups.filter { $0.isPrunable && !$0.producers.isEmpty && select($0) }
        var removed: [Int: [Int]] = [:]
        for group in chosen {
            removed[group.index] = try dependencies.lowestChannels(ofGroup: group.index, fraction: fraction, by: importance, roundTo: roundTo)
        }
        return try apply(removed, dependencies)
    }

    /// Removes the lowest-ranked channels of every prunable group, the same fraction of each
    /// (each group keeping a multiple of `roundTo`), the smallest fraction that leaves at most
    /// (1 − `macsReduction`) of the model's multiply-accumulates per image (found by bisection
    /// over the fraction).
    @discardableResult
    public func pruneChannels(inputShape: [Int], macsReduction: Double, by importance: UnitImportance = .l1Norm,
                              roundTo: Int = 1) throws -> ChannelPruning {
        guard macsReduction > 0 && macsReduction < 1 else {
            throw PruningError.macsReductionOutOfRange(macsReduction)
        }
        guard roundTo >= 1 else {
            throw PruningError.invalidRoundTo(roundTo)
        }
        let dependencies = try channelDependencies(inputShape: inputShape)
        let groups = dependencies.groups.filter { $0.isPrunable && !$0.producers.isEmpty }
        let orders = try groups.map { try dependencies.ranked(ofGroup: $0.index, importance) }
        func removal(_ fraction: Double) -> [Int: [Int]] {
            Dictionary(uniqueKeysWithValues: zip(groups, orders).map { group, order in
                (group.index, Array(order.prefix(removedCount(group.channels, fraction: fraction, roundTo: roundTo))))
            })
        }
        let budget = Double(dependencies.macs(removing: [:])) * (1 - macsReduction)
        var (low, high) = (0.0, 1.0)
        for _ in 0..<40 {
            let middle = (low + high) / 2
            if Double(dependencies.macs(removing: removal(middle).mapValues(Set.init))) <= budget { high = middle } else { low = middle }
        }
        guard Double(dependencies.macs(removing: removal(high).mapValues(Set.init))) <= budget else {
            throw PruningError.macsReductionUnreachable(macsReduction)
        }
        return try apply(removal(high), dependencies)
    }

    private func apply(_ removed: [Int: [Int]], _ dependencies: ChannelDependencies) throws -> ChannelPruning {
        let before = dependencies.macs(removing: [:])
        let after = dependencies.macs(removing: removed.mapValues(Set.init))
        try dependencies.remove(removed)
        return ChannelPruning(groups: dependencies.groups, removed: removed.filter { !$0.value.isEmpty }, macsBefore: before, macsAfter: after)
    }

    /// The prunable group of the channels that the conv2d or linear op of the module at
    /// `name` produces.
    func unitGroup(_ name: String, _ dependencies: ChannelDependencies) throws -> ChannelDependencies.Group {
        guard let group = dependencies.group(producedBy: name) else {
            throw PruningError.notAChannelProducer(name, producers: dependencies.groups.flatMap(\.producers))
        }
        if let reason = group.blockedReason {
            throw PruningError.channelsBlocked(layers: [name], reason: reason)
        }
        return group
    }

    /// Number of output units (neurons or filters) of the layer at `name`.
    public func unitCount(ofLayer name: String, inputShape: [Int]) throws -> Int {
        try unitGroup(name, try channelDependencies(inputShape: inputShape)).channels
    }

    /// The importance of every unit of the layer at `name`: its group's channels.
    public func unitImportance(ofLayer name: String, inputShape: [Int], _ importance: UnitImportance) throws -> [Double] {
        let dependencies = try channelDependencies(inputShape: inputShape)
        return try dependencies.importance(ofGroup: try unitGroup(name, dependencies).index, importance)
    }

    /// Removes the `fraction` (0…1) of the units of the layer at `name` that rank lowest —
    /// from every tensor of its dependency group — physically, and returns their indices
    /// in the original numbering, ascending. At least one unit stays.
    @discardableResult
    public func pruneUnits(ofLayer name: String, inputShape: [Int], fraction: Float, by importance: UnitImportance = .l1Norm) throws -> [Int] {
        let dependencies = try channelDependencies(inputShape: inputShape)
        let group = try unitGroup(name, dependencies)
        let removed = try dependencies.lowestChannels(ofGroup: group.index, fraction: fraction, by: importance)
        try dependencies.remove([group.index: removed])
        return removed
    }

    /// Physically removes the output units `units` of the layer at `name`, with the matching
    /// slices of every tensor of its dependency group.
    public func removeUnits(_ units: [Int], fromLayer name: String, inputShape: [Int]) throws {
        let dependencies = try channelDependencies(inputShape: inputShape)
        try dependencies.remove([try unitGroup(name, dependencies).index: units])
    }

    /// Zeroes the units `units` of the layer at `name` in place — every producing and
    /// channel-wise slice of its group — without changing any shape: what `removeUnits` is
    /// equivalent to.
    public func zeroUnits(_ units: [Int], ofLayer name: String, inputShape: [Int]) throws {
        let dependencies = try channelDependencies(inputShape: inputShape)
        try dependencies.zero([try unitGroup(name, dependencies).index: units])
    }
}

extension Tensor {
    /// Keeps the entries `kept` (ascending) along `axis`, in place.
    fileprivate func keep(_ kept: [Int], alongAxis axis: Int) {
        guard kept.count != shape[axis] else { return }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), length = shape[axis]
        var values: [Float] = []
        values.reserveCapacity(outer * kept.count * inner)
        for o in 0..<outer {
            for k in kept {
                let start = (o * length + k) * inner
                values += scalars[start ..< start + inner]
            }
        }
        var newShape = shape
        newShape[axis] = kept.count
        resize(to: newShape, scalars: values)
    }

    /// Zeroes every entry along `axis` not in `kept`, in place.
    fileprivate func zero(alongAxis axis: Int, except kept: Set<Int>) {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), length = shape[axis]
        for o in 0..<outer {
            for k in 0..<length where !kept.contains(k) {
                let start = (o * length + k) * inner
                for i in start ..< start + inner { scalars[i] = 0 }
            }
        }
    }
}
