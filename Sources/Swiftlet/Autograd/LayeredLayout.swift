/// Positions for drawing a directed acyclic graph from top to bottom in layers, a simple
/// form of Sugiyama's method:
/// 1. layers: a node sits one layer below its deepest input; a node without inputs (a
///    parameter, data) sits just above its first user rather than at the very top;
/// 2. order within a layer: a few sweeps sort each layer by the mean position of its
///    neighbours (the barycentre heuristic), which removes most edge crossings; then the
///    parameters feeding a node are split to both sides of its other inputs;
/// 3. coordinates: each node moves towards the mean x of its neighbours, kept apart by `gap`.
struct LayeredLayout {
    /// The centre of each node.
    private(set) var x: [Double], y: [Double]
    let width: Double, height: Double

    /// `inputs[i]` lists the nodes with edges into node i, all of smaller index (a
    /// topological order); `sizes` are the nodes' boxes.
    init(inputs: [[Int]], sizes: [(width: Double, height: Double)], gap: Double = 24, layerGap: Double = 36, margin: Double = 12) {
        let count = inputs.count
        var consumers = [[Int]](repeating: [], count: count)
        for (node, sources) in inputs.enumerated() { for source in sources { consumers[source].append(node) } }

        var layer = [Int](repeating: 0, count: count)
        for node in 0..<count { layer[node] = inputs[node].map { layer[$0] + 1 }.max() ?? 0 }
        for node in 0..<count where inputs[node].isEmpty {
            if let first = consumers[node].map({ layer[$0] }).min() { layer[node] = max(first - 1, 0) }
        }
        let layerCount = (layer.max() ?? -1) + 1
        var layers = [[Int]](repeating: [], count: layerCount)
        for node in 0..<count { layers[layer[node]].append(node) }

        // 2. Barycentre sweeps, down then up; `position` is a node's rank within its layer.
        var position = [Double](repeating: 0, count: count)
        func renumber(_ nodes: [Int]) { for (rank, node) in nodes.enumerated() { position[node] = Double(rank) } }
        layers.forEach(renumber)
        func mean(_ neighbours: [Int], or fallback: Double) -> Double {
            neighbours.isEmpty ? fallback : neighbours.map { position[$0] }.reduce(0, +) / Double(neighbours.count)
        }
        for _ in 0..<4 {
            for l in layers.indices {
                layers[l] = layers[l].sorted { mean(inputs[$0], or: position[$0]) < mean(inputs[$1], or: position[$1]) }
                renumber(layers[l])
            }
            for l in layers.indices.reversed() {
                layers[l] = layers[l].sorted { mean(consumers[$0], or: position[$0]) < mean(consumers[$1], or: position[$1]) }
                renumber(layers[l])
            }
        }

        // Inputs without inputs of their own (parameters, data) go around the other inputs of
        // the node they feed, half on each side, so that a chain of operations runs straight.
        for l in layers.indices {
            var groups: [(consumer: Int?, nodes: [Int])] = []
            for node in layers[l] {
                let consumer = consumers[node].first
                if let group = groups.firstIndex(where: { $0.consumer != nil && $0.consumer == consumer }) {
                    groups[group].nodes.append(node)
                } else {
                    groups.append((consumer, [node]))
                }
            }
            layers[l] = groups.flatMap { group -> [Int] in
                let sources = group.nodes.filter { inputs[$0].isEmpty }, others = group.nodes.filter { !inputs[$0].isEmpty }
                return Array(sources.prefix(sources.count / 2)) + others + Array(sources.dropFirst(sources.count / 2))
            }
        }

        // 3. Start packed, then pull each node towards its neighbours, layer by layer.
        var x = [Double](repeating: 0, count: count), y = [Double](repeating: 0, count: count)
        func place(_ nodes: [Int], wanted: [Double]) {
            var right = -Double.infinity
            for (node, target) in zip(nodes, wanted) {
                x[node] = max(target, right + gap + sizes[node].width / 2)
                right = x[node] + sizes[node].width / 2
            }
            // Pushing right only drifts the layer; shift it back by the mean drift.
            let drift = zip(nodes, wanted).map { x[$0] - $1 }.reduce(0, +) / Double(max(nodes.count, 1))
            for node in nodes { x[node] -= drift }
        }
        for nodes in layers { place(nodes, wanted: [Double](repeating: 0, count: nodes.count)) }
        for _ in 0..<3 {
            for nodes in layers {
                place(nodes, wanted: nodes.map { node in
                    let neighbours = inputs[node] + consumers[node]
                    return neighbours.isEmpty ? x[node] : neighbours.map { x[$0] }.reduce(0, +) / Double(neighbours.count)
                })
            }
        }

        let left = (0..<count).map { x[$0] - sizes[$0].width / 2 }.min() ?? 0
        var top = margin, widest = 0.0
        for nodes in layers {
            let tallest = nodes.map { sizes[$0].height }.max() ?? 0
            for node in nodes {
                x[node] += margin - left
                y[node] = top + tallest / 2
                widest = max(widest, x[node] + sizes[node].width / 2)
            }
            top += tallest + layerGap
        }
        self.x = x
        self.y = y
        width = widest + margin
        height = top - layerGap + margin
    }
}
