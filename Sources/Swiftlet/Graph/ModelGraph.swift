import SwiftletKernels

// The operator graph of one forward pass, recorded from any `Module` (its author writes
// nothing for it): which op consumed which tensor, every shape, the module path that ran
// each op. It is the one representation that the passes needing more than a list of
// layers read: FLOPs accounting, structured pruning's dependency groups, BatchNorm folding,
// the int8 engine, export.
//
//     let graph = try model.graph(inputShape: [3, 32, 32])
//     print(graph)      // %4 = conv2d(%0, conv1.weight) [1, 16, 32, 32]  conv1 (Conv2d)

/// A traced forward pass: values (the input, parameters, constants, op results) and the
/// ops that compute them, in execution order.
public struct ModelGraph {
    /// Where a value comes from.
    public enum Source: Equatable {
        /// The traced model's input.
        case input
        /// A parameter or buffer of the model, by its state-dict name.
        case parameter(name: String)
        /// A tensor made during the forward pass, frozen at its traced value.
        case constant
        /// The result of `nodes[index]`.
        case node(Int)
    }

    /// One tensor of the trace: where it comes from and its shape.
    public struct Value {
        /// The traced shape; dimension 0 of activations is the batch.
        public let shape: [Int]
        /// The input, a parameter, a constant or a node's result.
        public let source: Source
        /// The tensor of a parameter or buffer (the model's own: changing it changes the
        /// model) or of a constant; nil for the input and op results.
        public let tensor: Tensor?
    }

    /// One op of the trace, reading values and producing one.
    public struct Node {
        /// What the node computes, with its attributes.
        public let op: GraphOp
        /// Operand values, in the order `GraphOp` documents.
        public let inputs: [Int]
        /// Index in `values` of the value the node produces.
        public let output: Int
        /// Dotted path of the innermost module that ran the op ("" for the model itself).
        public let path: String
        /// That module's type, for messages.
        public let moduleType: String
    }

    /// One call of a module of the model: the values it took and returned.
    public struct ModuleCall {
        /// Dotted path of the module, as in the state dict ("" for the model itself).
        public let path: String
        /// Index in `values` of the module's input.
        public let input: Int
        /// Index in `values` of the module's output.
        public let output: Int
    }

    /// Every value of the trace; `Node.inputs` and `Node.output` index it.
    public internal(set) var values: [Value]
    /// The ops, in execution order.
    public internal(set) var nodes: [Node]
    /// Every call of a module of the model, in the order the calls returned.
    public internal(set) var calls: [ModuleCall]
    /// The value the model was called with.
    public let input: Int
    /// The value the model returned.
    public internal(set) var output: Int

    /// The traced batch size.
    public var batchSize: Int { values[input].shape.first ?? 1 }

    /// The node that computes `value`, nil for the input, parameters and constants.
    public func producer(of value: Int) -> Int? {
        if case let .node(index) = values[value].source { return index }
        return nil
    }

    /// The nodes that read `value`, in execution order.
    public func consumers(of value: Int) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(value) }
    }

    /// The state-dict name of a parameter or buffer value, nil otherwise.
    public func parameterName(of value: Int) -> String? {
        if case let .parameter(name) = values[value].source { return name }
        return nil
    }

    /// The kernels' description of a conv2d node at the traced batch size; nil for other ops.
    public func convolutionGeometry(ofNode index: Int) -> Conv2dGeometry? {
        let node = nodes[index]
        guard case let .conv2d(stride, padding, dilation, groups) = node.op else { return nil }
        return Conv2dGeometry(input: values[node.inputs[0]].shape, weight: values[node.inputs[1]].shape, stride: stride, padding: padding,
                              dilation: dilation, groups: groups)
    }

    /// An error naming `node`'s op and module for a pass that cannot handle it.
    func unsupported(_ node: Node, by pass: String, _ reason: String) -> GraphError {
        GraphError.unsupportedOp(op: node.op.name, path: node.path, moduleType: node.moduleType, pass: pass, reason: reason)
    }
}

/// A graph a pass cannot work with.
public enum GraphError: Error, Equatable, CustomStringConvertible {
    /// `pass` cannot handle the op `op` run by the module at `path` (of type `moduleType`).
    case unsupportedOp(op: String, path: String, moduleType: String, pass: String, reason: String)
    /// The forward pass being traced failed in the module at `path`.
    case traceFailed(path: String, moduleType: String, reason: String)
    /// `ModelGraph.run` reached an op whose operand `value` no earlier op computed.
    case usedBeforeComputed(value: Int)

    public var description: String {
        switch self {
        case let .unsupportedOp(op, path, moduleType, pass, reason):
            return "\(pass): op \(op) in module \"\(path.isEmpty ? "(model)" : path)\" (\(moduleType)) is not supported: \(reason)"
        case let .traceFailed(path, moduleType, reason):
            return "tracing the forward pass failed in module \"\(path.isEmpty ? "(model)" : path)\" (\(moduleType)): \(reason)"
        case let .usedBeforeComputed(value):
            return "ModelGraph.run: value %\(value) is used before it is computed (the nodes are not in execution order)"
        }
    }
}

extension ModelGraph: CustomStringConvertible {
    /// One line per op: `%5 = relu(%4) [1, 10, 12, 12]  conv1 (ReLU)`.
    public var description: String {
        func name(_ value: Int) -> String {
            switch values[value].source {
            case let .parameter(name): return name
            case .constant: return "const\(values[value].shape)"
            case .input, .node: return "%\(value)"
            }
        }
        var lines = ["%\(input) = input \(values[input].shape)"]
        for node in nodes {
            let operands = node.inputs.map(name).joined(separator: ", ")
            lines.append("%\(node.output) = \(node.op.name)(\(operands)) \(values[node.output].shape)  \(node.path.isEmpty ? "(model)" : node.path) (\(node.moduleType))")
        }
        lines.append("return \(name(output))")
        return lines.joined(separator: "\n")
    }
}
