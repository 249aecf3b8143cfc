// Structured pruning: whole output units — neurons of a Linear, filters of a Conv2d — are
// removed *physically*, so the pruned model is a smaller dense model.
//
// Removing unit u of layer L touches, along the path its output takes:
//   L                 row u of the weight ([out, in] or [out, in, kH, kW]) and bias[u];
//   a BatchNorm       γ[u], β[u], running mean[u] and variance[u];
//   the consumer      a Conv2d loses input channel u (weight[:, u]); a Linear loses input u,
//                     or, after Flatten, the H·W consecutive inputs u·H·W ..< (u+1)·H·W of
//                     channel u (H·W = the Linear's inputs / L's units, PyTorch's NCHW order).
// Between L and its consumer only layers that map zero to zero may stand (ReLU, max / average
// pooling, dropout, Flatten, and the BatchNorm, whose γ and β go too), so the smaller model
// computes exactly what the original computes with those units zeroed (`zeroUnits`).

/// How `pruneUnits` ranks the units of a layer; the lowest are removed.
public enum UnitImportance {
    /// Σ |w| over each unit's weights (Li et al. 2017, "Pruning Filters for Efficient ConvNets").
    case l1Norm
    /// √(Σ w²) over each unit's weights.
    case l2Norm
    /// One score per unit computed elsewhere, e.g. the loss increase from `unitSensitivity`.
    case scores([Double])
}

extension Sequential {
    /// Number of output units (neurons or filters) of the Linear or Conv2d layer `name`.
    public func unitCount(ofLayer name: String) throws -> Int {
        try unitPath(name).units
    }

    /// The importance of every unit of layer `name` (its norm, or the given scores).
    public func unitImportance(ofLayer name: String, _ importance: UnitImportance) throws -> [Double] {
        let path = try unitPath(name)
        let weights = path.producerWeight.scalars
        let perUnit = weights.count / max(path.units, 1)
        switch importance {
        case .l1Norm:
            return (0..<path.units).map { u in weights[u * perUnit ..< (u + 1) * perUnit].reduce(0.0) { $0 + Double(abs($1)) } }
        case .l2Norm:
            return (0..<path.units).map { u in weights[u * perUnit ..< (u + 1) * perUnit].reduce(0.0) { $0 + Double($1 * $1) }.squareRoot() }
        case let .scores(scores):
            guard scores.count == path.units else {
                throw TensorError.invalidArgument(op: "pruneUnits", "layer \"\(name)\" has \(path.units) units, but \(scores.count) scores were given")
            }
            return scores
        }
    }

    /// Removes the `fraction` (0…1) of the units of layer `name` that rank lowest, physically,
    /// and returns their indices in the original numbering, ascending. At least one unit stays.
    ///
    /// The layers' tensors are replaced by smaller ones: build a new optimizer afterwards.
    @discardableResult
    public func pruneUnits(ofLayer name: String, fraction: Float, by importance: UnitImportance = .l1Norm) throws -> [Int] {
        try checkPruningFraction(fraction)
        let scores = try unitImportance(ofLayer: name, importance)
        let count = min(Int((Double(fraction) * Double(scores.count)).rounded()), scores.count - 1)
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let removed = Array(order.prefix(count)).sorted()
        try removeUnits(removed, fromLayer: name)
        return removed
    }

    /// Physically removes the output units `units` of the Linear or Conv2d layer `name`, and
    /// the matching channels of a BatchNorm and the inputs of the next Linear or Conv2d.
    public func removeUnits(_ units: [Int], fromLayer name: String) throws {
        let path = try unitPath(name)
        let removed = try checkedUnits(units, path, name)
        guard removed.count < path.units else {
            throw TensorError.invalidArgument(op: "removeUnits", "cannot remove all \(path.units) units of layer \"\(name)\"")
        }
        let kept = (0..<path.units).filter { !removed.contains($0) }
        switch path.producer {
        case let linear as Linear:
            linear.weight = linear.weight.keepingUnits(kept, axis: 0, units: path.units)
            linear.bias = linear.bias?.keepingUnits(kept, axis: 0, units: path.units)
        case let conv as Conv2d:
            conv.weight = conv.weight.keepingUnits(kept, axis: 0, units: path.units)
            conv.bias = conv.bias?.keepingUnits(kept, axis: 0, units: path.units)
        default:
            preconditionFailure("unitPath accepts only Linear and Conv2d producers")
        }
        if let norm = path.batchNorm {
            norm.weight = norm.weight.keepingUnits(kept, axis: 0, units: path.units)
            norm.bias = norm.bias.keepingUnits(kept, axis: 0, units: path.units)
            norm.runningMean = norm.runningMean.keepingUnits(kept, axis: 0, units: path.units)
            norm.runningVar = norm.runningVar.keepingUnits(kept, axis: 0, units: path.units)
        }
        switch path.consumer {
        case let linear as Linear:
            linear.weight = linear.weight.keepingUnits(kept, axis: 1, units: path.units)
        case let conv as Conv2d:
            conv.weight = conv.weight.keepingUnits(kept, axis: 1, units: path.units)
        default:
            preconditionFailure("unitPath accepts only Linear and Conv2d consumers")
        }
    }

    /// Zeroes the units `units` of layer `name` in place — weight rows, biases and a following
    /// BatchNorm's γ and β — without changing any shape: what `removeUnits` is equivalent to.
    public func zeroUnits(_ units: [Int], ofLayer name: String) throws {
        let path = try unitPath(name)
        let zeroed = try checkedUnits(units, path, name)
        var tensors = [path.producerWeight] + (path.producerBias.map { [$0] } ?? [])
        if let norm = path.batchNorm { tensors += [norm.weight, norm.bias] }
        for tensor in tensors { tensor.zeroBlocks(zeroed, units: path.units) }
    }

    /// Where the outputs of layer `name` go, checked for structured removal.
    func unitPath(_ name: String) throws -> UnitPath {
        guard let index = layers.firstIndex(where: { $0.name == name }) else {
            throw TensorError.invalidArgument(op: "structured pruning", "no layer named \"\(name)\" (layers: \(layers.map(\.name).joined(separator: ", ")))")
        }
        let producer = layers[index].module
        let weight: Tensor, bias: Tensor?
        switch producer {
        case let linear as Linear: (weight, bias) = (linear.weight, linear.bias)
        case let conv as Conv2d where conv.groups == 1: (weight, bias) = (conv.weight, conv.bias)
        default:
            throw TensorError.invalidArgument(op: "structured pruning", "layer \"\(name)\" is a \(type(of: producer)); only Linear and ungrouped Conv2d layers lose units")
        }
        let units = weight.shape[0]
        var batchNorm: BatchNorm?
        var flattened = false
        for (nextName, module) in layers[(index + 1)...] {
            switch module {
            case let norm as BatchNorm where batchNorm == nil && !flattened && norm.weight.count == units:
                batchNorm = norm
            case is ReLU, is Dropout, is MaxPool2d, is AvgPool2d:
                continue
            case is Flatten:
                flattened = true
            case let conv as Conv2d where conv.groups == 1 && conv.inChannels == units && !flattened:
                return UnitPath(producer: producer, producerWeight: weight, producerBias: bias, units: units, batchNorm: batchNorm, consumer: conv)
            case let linear as Linear where linear.inFeatures % units == 0 && (flattened || linear.inFeatures == units):
                return UnitPath(producer: producer, producerWeight: weight, producerBias: bias, units: units, batchNorm: batchNorm, consumer: linear)
            default:
                throw TensorError.invalidArgument(op: "structured pruning", "the outputs of layer \"\(name)\" (\(units) units) reach layer \"\(nextName)\" (\(type(of: module))), which structured removal cannot follow: between a layer and the Linear or Conv2d that consumes its units only ReLU, pooling, dropout, Flatten and one BatchNorm of matching size may stand")
            }
        }
        throw TensorError.invalidArgument(op: "structured pruning", "layer \"\(name)\" feeds no later Linear or Conv2d: the model's output units cannot be removed")
    }

    private func checkedUnits(_ units: [Int], _ path: UnitPath, _ name: String) throws -> Set<Int> {
        if let bad = units.first(where: { $0 < 0 || $0 >= path.units }) {
            throw TensorError.invalidArgument(op: "structured pruning", "unit \(bad) is out of range: layer \"\(name)\" has \(path.units) units")
        }
        return Set(units)
    }
}

/// A layer whose units can be removed, and the layers its units flow into.
struct UnitPath {
    let producer: Module
    let producerWeight: Tensor
    let producerBias: Tensor?
    let units: Int
    let batchNorm: BatchNorm?
    let consumer: Module
}

extension Tensor {
    /// Splits dimension `axis` into `units` equal blocks and keeps the blocks in `kept`
    /// (ascending): dimension 0 of a producer's weight, dimension 1 of a consumer's.
    fileprivate func keepingUnits(_ kept: [Int], axis: Int, units: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let inner = count / max(outer * units, 1)
        var values: [Float] = []
        values.reserveCapacity(outer * kept.count * inner)
        for o in 0..<outer {
            for u in kept {
                let start = (o * units + u) * inner
                values += scalars[start ..< start + inner]
            }
        }
        var newShape = shape
        newShape[axis] = newShape[axis] / units * kept.count
        return Tensor(shape: newShape, scalars: values, requiresGrad: requiresGrad)
    }

    /// Splits dimension 0 into `units` equal blocks and zeroes the blocks in `zeroed`.
    fileprivate func zeroBlocks(_ zeroed: Set<Int>, units: Int) {
        let inner = count / max(units, 1)
        for u in zeroed { for i in u * inner ..< (u + 1) * inner { scalars[i] = 0 } }
    }
}
