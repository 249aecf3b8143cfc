import Foundation

// What a model costs per image, read from its traced graph: every conv2d, linear and matmul
// counts its multiply-accumulates (MACs), wherever in the model it runs; a module that
// adopts `CountsMACs` counts for everything below it instead.

/// One row of a model's cost table: a module that ran ops, the shape it produced, the
/// parameters it owns and its MACs per image — dense, and counting only non-zero weights
/// (what a sparse kernel executes after pruning).
public struct LayerTrace {
    /// The module's dotted path ("" for the model's own ops).
    public let name: String
    /// The module's type name ("Conv2d"), or "" for the model's own ops.
    public let kind: String
    /// The shape the module returned for the traced input (batch 1).
    public let outputShape: [Int]
    /// Elements of the parameters the module owns: its own, or for a `CountsMACs` module everything below it.
    public let parameters: Int
    /// Those that are not zero, which is what pruning reduces.
    public let nonzeroParameters: Int
    /// Multiply-accumulates per image of the module's ops, dense.
    public let macs: Int
    /// Multiply-accumulates per image that involve a non-zero weight.
    public let nonzeroMACs: Int
}

extension ModelGraph {
    /// Multiply-accumulates per image of `nodes[index]`: dense, and those with a non-zero
    /// weight (a weight that is a parameter or constant; a computed one counts as dense).
    public func macs(ofNode index: Int) -> (dense: Int, nonzero: Int) {
        let node = nodes[index]
        func perImage(_ value: Int) -> Int { values[value].shape.elementCount / max(batchSize, 1) }
        func nonzeroFraction(_ value: Int) -> Double {
            guard let tensor = values[value].tensor, tensor.count > 0 else { return 1 }
            return Double(tensor.scalars.nonzeroCount) / Double(tensor.count)
        }
        let dense: Int, weight: Int
        switch node.op {
        case .conv2d:
            // Every output position runs the whole kernel of its group: C_out·(C_in/groups)·kH·kW.
            let out = values[node.output].shape
            weight = node.inputs[1]
            dense = out.dropFirst(2).reduce(1, *) * values[weight].shape.elementCount
        case .linear:
            weight = node.inputs[1]
            dense = perImage(node.inputs[0]) * values[weight].shape[0]
        case .matmul:
            weight = node.inputs[1]
            let b = values[weight].shape
            dense = perImage(node.inputs[0]) * b[b.count - 1]
        default:
            return (0, 0)
        }
        return (dense, Int((Double(dense) * nonzeroFraction(weight)).rounded()))
    }

    /// MACs per image of the whole graph.
    public var totalMACs: (dense: Int, nonzero: Int) {
        nodes.indices.map(macs(ofNode:)).reduce((0, 0)) { ($0.0 + $1.dense, $0.1 + $1.nonzero) }
    }
}

extension Module {
    /// Runs one zero image of `inputShape` ([C, H, W]) through the model and gives one row
    /// per module that ran ops, in the order they first ran (a `CountsMACs` module is one
    /// row for everything below it).
    public func traceLayers(inputShape: [Int]) throws -> [LayerTrace] {
        let graph = try graph(inputShape: inputShape)
        let modules = Dictionary(namedModules.map { ($0.path, $0.module) }, uniquingKeysWith: { first, _ in first })
        // The outermost module on `path` that counts for itself, or the path's own module.
        func owner(of path: String) -> String {
            let components = path.split(separator: ".")
            for length in 0...components.count {
                let prefix = components.prefix(length).joined(separator: ".")
                if modules[prefix] is CountsMACs { return prefix }
            }
            return path
        }
        var order: [String] = []
        var rows: [String: (shape: [Int], macs: (dense: Int, nonzero: Int))] = [:]
        for (index, node) in graph.nodes.enumerated() {
            let path = owner(of: node.path)
            if rows[path] == nil { order.append(path) }
            let counted = modules[path] is CountsMACs ? (dense: 0, nonzero: 0) : graph.macs(ofNode: index)
            let sum = rows[path]?.macs ?? (dense: 0, nonzero: 0)
            rows[path] = (graph.values[node.output].shape, (sum.dense + counted.dense, sum.nonzero + counted.nonzero))
        }
        for call in graph.calls {
            guard let counter = modules[call.path] as? CountsMACs, let row = rows[call.path] else { continue }
            let own = counter.macs(inputShape: graph.values[call.input].shape, outputShape: graph.values[call.output].shape)
            rows[call.path] = (graph.values[call.output].shape, (row.macs.dense + own.dense, row.macs.nonzero + own.nonzero))
        }
        return order.map { path in
            let module = modules[path]
            // A counting module owns everything below it; any other row owns its own tensors.
            let tensors = module is CountsMACs ? module?.parameters ?? [] : module?.localParameters.map(\.tensor) ?? []
            let row = rows[path]!  // every path in `order` has a row
            return LayerTrace(name: path, kind: module.map { "\(type(of: $0))" } ?? "", outputShape: row.shape,
                              parameters: tensors.reduce(0) { $0 + $1.count },
                              nonzeroParameters: tensors.reduce(0) { $0 + $1.scalars.nonzeroCount },
                              macs: row.macs.dense, nonzeroMACs: row.macs.nonzero)
        }
    }

    /// A printed summary: layer, output shape, parameters and MACs per image, then totals.
    public func summary(inputShape: [Int]) throws -> String {
        let rows = try traceLayers(inputShape: inputShape)
        let header = ["layer", "type", "output shape", "parameters", "MACs"]
        var table = rows.map { [$0.name.isEmpty ? "(model)" : $0.name, $0.kind, "\($0.outputShape)", "\($0.parameters)", "\($0.macs)"] }
        table.append(["total", "", "", "\(rows.reduce(0) { $0 + $1.parameters })", "\(rows.reduce(0) { $0 + $1.macs })"])
        let widths = header.indices.map { column in ([header] + table).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column < 3 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + table.map(line)).joined(separator: "\n")
    }
}

extension Array where Element == Float {
    /// How many elements are not zero.
    var nonzeroCount: Int { reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}
