import Foundation

/// What one layer does to one input: the shape it produces, the parameters it owns and the
/// multiply-accumulates it performs — dense, and counting only non-zero weights (what a
/// sparse kernel executes after pruning).
public struct LayerTrace {
    public let name: String
    public let kind: String
    public let outputShape: [Int]
    public let parameters: Int
    public let nonzeroParameters: Int
    public let macs: Int
    public let nonzeroMACs: Int
}

/// Layers whose cost is counted: per image, dense and with zero weights skipped.
protocol CountsMACs {
    func macs(outputShape: [Int]) -> (dense: Int, nonzero: Int)
}

extension Conv2d: CountsMACs {
    func macs(outputShape: [Int]) -> (dense: Int, nonzero: Int) {
        let positions = outputShape[2] * outputShape[3]
        return (positions * weight.count, positions * weight.scalars.nonzeroCount)
    }
}

extension Linear: CountsMACs {
    func macs(outputShape: [Int]) -> (dense: Int, nonzero: Int) {
        (weight.count, weight.scalars.nonzeroCount)
    }
}

extension Module {
    /// Runs one zero image of `inputShape` ([C, H, W]) through the model and records every
    /// layer of (nested) `Sequential`s; other modules appear as one row.
    public func traceLayers(inputShape: [Int]) throws -> [LayerTrace] {
        let wasTraining = isTraining
        eval()
        defer { if wasTraining { train() } }
        var traces: [LayerTrace] = []
        _ = try withNoGrad { try trace(Tensor.zeros([1] + inputShape), name: "", into: &traces) }
        return traces
    }

    private func trace(_ input: Tensor, name: String, into traces: inout [LayerTrace]) throws -> Tensor {
        if let sequential = self as? Sequential {
            var x = input
            for layer in sequential.layers {
                x = try layer.module.trace(x, name: name.isEmpty ? layer.name : "\(name).\(layer.name)", into: &traces)
            }
            return x
        }
        let output = try self(input)
        let cost = (self as? CountsMACs)?.macs(outputShape: output.shape) ?? (dense: 0, nonzero: 0)
        traces.append(LayerTrace(name: name, kind: "\(type(of: self))", outputShape: output.shape,
                                 parameters: parameterCount, nonzeroParameters: parameters.reduce(0) { $0 + $1.scalars.nonzeroCount },
                                 macs: cost.dense, nonzeroMACs: cost.nonzero))
        return output
    }

    /// A printed summary: layer, output shape, parameters and MACs per image, then totals.
    public func summary(inputShape: [Int]) throws -> String {
        let rows = try traceLayers(inputShape: inputShape)
        let header = ["layer", "type", "output shape", "parameters", "MACs"]
        var table = rows.map { [$0.name, $0.kind, "\($0.outputShape)", "\($0.parameters)", "\($0.macs)"] }
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
