/// The optimiser of automatic compression: a multiple-choice knapsack. Each group (layer)
/// has options with a cost (bytes or FLOPs) and a loss (predicted accuracy drop); exactly one
/// option per group is chosen so that the total cost stays within `capacity` and the total
/// loss is least.
///
/// It is solved exactly, group by group, on Pareto frontiers: after each group, every choice
/// for the groups so far that no other choice beats on both cost and loss, sorted by cost.
/// The next group's frontier merges the current one shifted by each option's cost and loss,
/// dropping what exceeds the capacity or is beaten; the answer is the last frontier's entry
/// of least loss. Costs are never rounded, so an allocation that fills the budget to the last
/// byte is found (an earlier version cut the budget into 4,096 units and rounded costs up,
/// which lost exactly such allocations: uniform 50 % sparsity at `flops=2x` is one). A
/// frontier holds at most one entry per cost, so work is bounded by groups × options ×
/// (capacity + 1), and is far less in practice. Why not greedy by marginal loss per byte:
/// sensitivity curves are not convex (a layer may lose nothing down to 4 bits and collapse
/// at 3), and greedy steps along each layer's curve can stop at a worse combination.
public enum MultipleChoiceKnapsack {
    /// A choice for the groups so far: its total cost and loss, the option it takes in the
    /// last group, and the entry of the previous group's frontier it extends.
    private struct Partial {
        let cost: Int
        let loss: Double
        let option: Int
        let parent: Int
    }

    /// The index of the chosen option of each group, or nil when no choice fits `capacity`.
    /// Ties in loss go to the cheaper total; ties in both to the earlier options.
    public static func solve(costs: [[Int]], losses: [[Double]], capacity: Int) -> [Int]? {
        precondition(costs.count == losses.count && zip(costs, losses).allSatisfy { $0.count == $1.count && !$0.isEmpty },
                     "MultipleChoiceKnapsack: every group needs as many costs as losses, and at least one")
        guard capacity >= 0 else { return nil }
        var frontiers: [[Partial]] = []
        var frontier = [Partial(cost: 0, loss: 0, option: -1, parent: -1)]
        for (groupCosts, groupLosses) in zip(costs, losses) {
            var next: [Partial] = []
            for (option, (cost, loss)) in zip(groupCosts, groupLosses).enumerated() {
                let shifted = frontier.indices.prefix { frontier[$0].cost + cost <= capacity }.map {
                    Partial(cost: frontier[$0].cost + cost, loss: frontier[$0].loss + loss, option: option, parent: $0)
                }
                next = paretoMerge(next, shifted)
            }
            guard !next.isEmpty else { return nil }
            frontiers.append(next)
            frontier = next
        }
        // Walk back from the entry of least loss: each group's option and the entry it extends.
        var picked = [Int](repeating: 0, count: costs.count)
        var entry = frontier.count - 1
        for group in costs.indices.reversed() {
            picked[group] = frontiers[group][entry].option
            entry = frontiers[group][entry].parent
        }
        return picked
    }

    /// The Pareto frontier of two frontiers: by cost, each entry of strictly less loss than
    /// every cheaper one; of two entries alike in cost and loss, `first`'s.
    private static func paretoMerge(_ first: [Partial], _ second: [Partial]) -> [Partial] {
        var merged: [Partial] = []
        merged.reserveCapacity(first.count + second.count)
        var i = 0, j = 0
        while i < first.count || j < second.count {
            let takeFirst = j == second.count || (i < first.count && (first[i].cost, first[i].loss) <= (second[j].cost, second[j].loss))
            let candidate = takeFirst ? first[i] : second[j]
            if takeFirst { i += 1 } else { j += 1 }
            if merged.last.map({ candidate.loss < $0.loss }) ?? true { merged.append(candidate) }
        }
        return merged
    }
}
