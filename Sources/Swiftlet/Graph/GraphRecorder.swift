// Tracing: while a recorder is active, every op built by `Tensor.result` and every module
// call reports to it. Tensors are told apart by identity, so the recorder keeps each one it
// has seen alive until the trace ends (a freed tensor's address could be reused).

extension Module {
    /// Records the operator graph of one forward pass of `example` (a batch), in evaluation
    /// mode and without gradients; the model's mode is restored afterwards.
    public func graph(tracing example: Tensor) throws -> ModelGraph {
        let (recorder, output) = try trace(example)
        return recorder.graph(returning: output)
    }

    /// What the modules at `paths` received as input when `example` ran through the model
    /// (at their first call), by path; a module that was not called has no entry.
    func inputs(tracing example: Tensor, ofModulesAt paths: [String]) throws -> [String: Tensor] {
        let (recorder, _) = try trace(example)
        return Dictionary(paths.compactMap { path in recorder.input(ofFirstCallAt: path).map { (path, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    /// One forward pass of `example` under a recorder, in evaluation mode and without
    /// gradients; the model's mode is restored afterwards.
    private func trace(_ example: Tensor) throws -> (GraphRecorder, output: Tensor) {
        let wasTraining = isTraining
        eval()
        defer { if wasTraining { train() } }
        let recorder = GraphRecorder(model: self, input: example)
        let output = try GraphRecorder.$active.withValue(recorder) {
            try withNoGrad { try self(example) }
        }
        return (recorder, output)
    }

    /// The graph of one forward pass of a zero batch of `batch` inputs of `inputShape`
    /// (without the batch dimension, e.g. [3, 32, 32]).
    public func graph(inputShape: [Int], batch: Int = 1) throws -> ModelGraph {
        try graph(tracing: Tensor.zeros([batch] + inputShape))
    }
}

/// Collects the values and ops of one traced forward pass. Used from the tracing thread only
/// (unchecked `Sendable` because a task-local value must be `Sendable`).
final class GraphRecorder: @unchecked Sendable {
    /// The recorder of the trace in progress on this thread or task, if any.
    @TaskLocal static var active: GraphRecorder?

    private var values: [ModelGraph.Value] = []
    private var nodes: [ModelGraph.Node] = []
    private var calls: [ModelGraph.ModuleCall] = []
    private var valueOf: [ObjectIdentifier: Int] = [:]
    /// Every tensor seen, by value: `seen[i]` is value i's tensor.
    private var seen: [Tensor] = []
    private let parameterNames: [ObjectIdentifier: String]
    private let modulePaths: [ObjectIdentifier: String]
    /// The modules being called, innermost last: (path, type).
    private var scopes: [(path: String, type: String)] = []
    private let input: Int

    init(model: Module, input example: Tensor) {
        parameterNames = Dictionary(model.stateDict.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { first, _ in first })
        modulePaths = Dictionary(model.namedModules.map { (ObjectIdentifier($0.module), $0.path) }, uniquingKeysWith: { first, _ in first })
        input = 0
        add(ModelGraph.Value(shape: example.shape, source: .input, tensor: nil), for: example)
    }

    /// Runs a module's `forward` inside its scope, so the ops it records carry its path.
    /// A module of the model whose output no recorded op produced (it computed outside
    /// Swiftlet's ops) becomes one opaque op, which passes then name in their errors.
    func call(_ module: Module, _ input: Tensor, _ forward: (Tensor) throws -> Tensor) throws -> Tensor {
        guard let path = modulePaths[ObjectIdentifier(module)] else { return try forward(input) }
        scopes.append((path, "\(type(of: module))"))
        defer { scopes.removeLast() }
        let output: Tensor
        do {
            output = try forward(input)
        } catch let error as GraphError {
            throw error
        } catch {
            throw GraphError.traceFailed(path: path, moduleType: "\(type(of: module))", reason: "\(error)")
        }
        if valueOf[ObjectIdentifier(output)] == nil {
            record(.other("\(type(of: module)).forward"), operands: [input], output: output)
        }
        calls.append(ModelGraph.ModuleCall(path: path, input: value(of: input), output: value(of: output)))
        return output
    }

    /// Records one op: its operands (found, or added as parameters or constants) and its result.
    func record(_ op: GraphOp, operands: [Tensor], output: Tensor) {
        let inputs = operands.map(value(of:))
        let scope = scopes.last ?? (path: "", type: "model")
        nodes.append(ModelGraph.Node(op: op, inputs: inputs, output: values.count, path: scope.path, moduleType: scope.type))
        add(ModelGraph.Value(shape: output.shape, source: .node(nodes.count - 1), tensor: nil), for: output)
    }

    /// The tensor the first call of the module at `path` received, if it was called.
    func input(ofFirstCallAt path: String) -> Tensor? {
        calls.first { $0.path == path }.map { seen[$0.input] }
    }

    func graph(returning output: Tensor) -> ModelGraph {
        ModelGraph(values: values, nodes: nodes, calls: calls, input: input, output: value(of: output))
    }

    /// The value of `tensor`; one not seen before is a parameter or buffer of the model, or
    /// else a constant, copied so that the graph keeps its traced value.
    private func value(of tensor: Tensor) -> Int {
        if let id = valueOf[ObjectIdentifier(tensor)] { return id }
        if let name = parameterNames[ObjectIdentifier(tensor)] {
            return add(ModelGraph.Value(shape: tensor.shape, source: .parameter(name: name), tensor: tensor), for: tensor)
        }
        return add(ModelGraph.Value(shape: tensor.shape, source: .constant, tensor: tensor.detached()), for: tensor)
    }

    @discardableResult
    private func add(_ value: ModelGraph.Value, for tensor: Tensor) -> Int {
        values.append(value)
        valueOf[ObjectIdentifier(tensor)] = values.count - 1
        seen.append(tensor)
        return values.count - 1
    }
}
