import Foundation

// ANCHOR: graph
/// A tensor's backward graph as plain data, to walk, print or draw: one node per tensor the
/// root depends on, each after the inputs it was computed from, the root last.
///
///     let loss = try crossEntropy(model(x), labels)
///     for node in BackwardGraph(of: loss, names: model.namedParameters).nodes {
///         print(node.title, node.shape, node.inputs)   // "linear [64, 10] [7, 8, 9]"
///     }
public struct BackwardGraph {
    /// One tensor of the graph: how it was computed and from which nodes.
    public struct Node {
        /// The op that computed the tensor ("conv2d", …), or nil for a leaf.
        public let operation: String?
        /// The name it was given in `init(of:names:)` (a parameter's "fc1.weight").
        public let name: String?
        /// The tensor's shape.
        public let shape: [Int]
        /// Indices in `nodes` of the op's inputs, in the op's order (an input used twice appears twice).
        public let inputs: [Int]
        /// The tensor itself, for its values and `grad`.
        public let tensor: Tensor

        /// What a picture calls the node: its name and op, or what kind of leaf it is.
        public var title: String {
            switch (name, operation) {
            case let (name?, operation?): return "\(name) = \(operation)"
            case let (name?, nil): return name
            case let (nil, operation?): return operation
            case (nil, nil): return tensor.requiresGrad ? "leaf" : "constant"
            }
        }
    }

    /// Every tensor the root depends on, inputs before the ops that read them, the root last.
    public let nodes: [Node]

    /// The graph of `root`, with the tensors that need no gradient (data, labels) as
    /// constants; `names` labels the tensors you know by name, e.g. `model.namedParameters`.
    public init(of root: Tensor, names: [(name: String, tensor: Tensor)] = []) {
        let order = root.topologicalOrder(includingConstants: true)
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { (ObjectIdentifier($1), $0) })
        let nameOf = Dictionary(names.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { first, _ in first })
        nodes = order.map { tensor in
            Node(operation: tensor.gradientNode?.operation, name: nameOf[ObjectIdentifier(tensor)], shape: tensor.shape,
                 inputs: tensor.gradientNode?.inputs.map { index[ObjectIdentifier($0)]! } ?? [], tensor: tensor)
        }
    }
}
// ANCHOR_END: graph

extension BackwardGraph {
    /// Indices of the nodes that use each node as an input.
    var consumers: [[Int]] {
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { consumers[input].append(index) }
        }
        return consumers
    }

    /// The lines a picture writes in node `index`: title, shape, and for a tensor of at most
    /// `valuesUpTo` elements its values and gradient (when `backward()` kept one).
    func label(_ index: Int, valuesUpTo limit: Int) -> [String] {
        let node = nodes[index]
        var lines = [node.title, node.shape.isEmpty ? "scalar" : "\(node.shape)"]
        if node.tensor.count <= limit {
            lines.append("value " + Self.format(node.tensor.scalars))
            if let grad = node.tensor.grad { lines.append("grad " + Self.format(grad.scalars)) }
        }
        return lines
    }

    /// The fill colour of node `index`: the root, an op, a leaf that learns, a constant.
    func fill(_ index: Int) -> String {
        if index == nodes.count - 1 { return "#f8cecc" }
        if nodes[index].operation != nil { return "#dae8fc" }
        return nodes[index].tensor.requiresGrad ? "#fff2cc" : "#eeeeee"
    }

    private static func format(_ values: [Float]) -> String {
        let parts = values.map { String(format: "%.4g", $0) }
        return parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
    }
}
