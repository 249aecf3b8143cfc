/// The optimiser of automatic compression: a multiple-choice knapsack. Each group (layer)
/// has options with a cost (bytes or FLOPs) and a loss (predicted accuracy drop); exactly one
/// option per group is chosen so that the total cost stays within `capacity` and the total
/// loss is least.
///
/// It is solved exactly by dynamic programming over the budget cut into at most `resolution`
/// equal units, each cost rounded *up* to whole units, so a solution found always meets the
/// real budget (it may miss one that uses the last L units, L the number of groups). Why not
/// greedy by marginal loss per byte: sensitivity curves are not convex (a layer may lose
/// nothing down to 4 bits and collapse at 3), and greedy steps along each layer's curve can
/// stop at a worse combination; the DP costs L × options × resolution steps, milliseconds here.
public enum MultipleChoiceKnapsack {
    /// The index of the chosen option of each group, or nil when no choice fits `capacity`.
    /// Ties in loss go to the cheaper total.
    public static func solve(costs: [[Int]], losses: [[Double]], capacity: Int, resolution: Int = 4096) -> [Int]? {
        precondition(costs.count == losses.count && zip(costs, losses).allSatisfy { $0.count == $1.count && !$0.isEmpty },
                     "MultipleChoiceKnapsack: every group needs as many costs as losses, and at least one")
        guard capacity >= 0 else { return nil }
        let unit = max(1, (capacity + resolution - 1) / max(resolution, 1))
        let slots = capacity / unit
        // best[c]: least (loss, units) of the groups so far using at most c units.
        var best = [(loss: Double, units: Int)?](repeating: (0, 0), count: slots + 1)
        var choices: [[Int]] = []
        for (groupCosts, groupLosses) in zip(costs, losses) {
            let units = groupCosts.map { ($0 + unit - 1) / unit }
            var next = [(loss: Double, units: Int)?](repeating: nil, count: slots + 1)
            var choice = [Int](repeating: -1, count: slots + 1)
            for c in 0...slots {
                for (option, u) in units.enumerated() where u <= c {
                    guard let previous = best[c - u] else { continue }
                    let candidate = (loss: previous.loss + groupLosses[option], units: previous.units + u)
                    if let current = next[c], (current.loss, current.units) <= (candidate.loss, candidate.units) { continue }
                    next[c] = candidate
                    choice[c] = option
                }
            }
            best = next
            choices.append(choice)
        }
        guard best[slots] != nil else { return nil }
        // Walk back from the full budget: each group's choice at the units left.
        var left = slots
        var picked = [Int](repeating: 0, count: costs.count)
        for group in costs.indices.reversed() {
            let option = choices[group][left]
            picked[group] = option
            left -= (costs[group][option] + unit - 1) / unit
        }
        return picked
    }
}
