/// Collects the nodes and initializers of an ONNX graph under unique names. Names depend
/// only on the order of the calls, so the same traced graph always gives the same file.
struct ONNXGraphBuilder {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    private var taken: Set<String> = []

    /// `base`, or `base_2`, `base_3`, … if it is taken; marks the result taken.
    mutating func uniqueName(_ base: String) -> String {
        var name = base, counter = 1
        while taken.contains(name) {
            counter += 1
            name = "\(base)_\(counter)"
        }
        taken.insert(name)
        return name
    }

    /// Adds `tensor` as an initializer under a unique name derived from its own; returns that name.
    @discardableResult
    mutating func addInitializer(_ tensor: ONNXTensor) -> String {
        var tensor = tensor
        tensor.name = uniqueName(tensor.name)
        initializers.append(tensor)
        return tensor.name
    }

    /// Adds a node that reads `inputs`; returns its output's name: `output` or `scope/opType`,
    /// made unique. Nodes stay unnamed (the name is optional in ONNX; runtimes and viewers
    /// name them by op type), so each op's one descriptive name is its output's.
    @discardableResult
    mutating func addNode(_ opType: String, _ inputs: [String], scope: String, output: String? = nil,
                          attributes: [ONNXAttribute] = []) -> String {
        let result = uniqueName(output ?? "\(scope)/\(opType)")
        nodes.append(ONNXNode(opType, inputs: inputs, outputs: [result], name: "", attributes: attributes))
        return result
    }

    /// Gives the value `old` (a node output) the name `new` everywhere; `new` must be free.
    mutating func renameValue(_ old: String, to new: String) {
        taken.insert(new)
        for index in nodes.indices {
            nodes[index].inputs = nodes[index].inputs.map { $0 == old ? new : $0 }
            nodes[index].outputs = nodes[index].outputs.map { $0 == old ? new : $0 }
        }
    }

    /// Whether some node computes `name`.
    func isNodeOutput(_ name: String) -> Bool {
        nodes.contains { $0.outputs.contains(name) }
    }
}
