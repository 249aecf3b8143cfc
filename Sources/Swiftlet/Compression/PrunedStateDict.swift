import Foundation

extension Module {
    /// Loads a checkpoint saved after structured pruning or low-rank decomposition into a
    /// freshly built model of the original architecture: each Linear, Conv2d and BatchNorm
    /// first takes the sizes the checkpoint's tensors have (fewer neurons, filters,
    /// channels), a layer saved as its two factors (`fc1.0.weight`, `fc1.1.weight` instead of
    /// `fc1.weight`, as `decompose` leaves it) becomes those two layers, then every value is
    /// loaded as strictly as `loadStateDict`. Otherwise kernel sizes and names must match. On
    /// any error the model is left as it was.
    public func loadPrunedStateDict(_ values: [String: Tensor]) throws {
        var undo: [() -> Void] = []
        do {
            try resizeLayers(prefix: "", to: values, undo: &undo)
            try loadStateDict(values)
        } catch {
            for restore in undo.reversed() { restore() }
            throw error
        }
    }

    /// Reads a checkpoint that may have been shrunk by structured pruning (`save(to:)` of a
    /// model after `pruneUnits`) into this freshly built model of the original architecture,
    /// resizing its layers to the saved sizes (`loadPrunedStateDict`). A checkpoint of the
    /// full-size model loads exactly as with `load(from:)`.
    @discardableResult
    public func loadPruned(from url: URL) throws -> SafeTensorsFile {
        let file = try SafeTensorsFile.read(from: url)
        var values: [String: Tensor] = [:]
        for (name, record) in file.tensors {
            let scalars = name.hasSuffix("num_batches_tracked")
                ? try file.integers(named: name).map(Float.init) : try file.floats(named: name)
            values[name] = Tensor(shape: record.shape, scalars: scalars)
        }
        do {
            try loadPrunedStateDict(values)
        } catch let error as StateDictError {
            // The same errors `load(from:)` gives, naming the file.
            switch error {
            case let .missing(name): throw SafeTensorsError(file: url.path, reason: .namesMismatch(missing: [name], unexpected: []))
            case let .unexpected(name): throw SafeTensorsError(file: url.path, reason: .namesMismatch(missing: [], unexpected: [name]))
            case let .shapeMismatch(name, found, expected):
                throw SafeTensorsError(file: url.path, reason: .shapeMismatch(tensor: name, shape: found, expected: expected))
            }
        }
        return file
    }

    private func resizeLayers(prefix: String, to values: [String: Tensor], undo: inout [() -> Void]) throws {
        func saved(_ name: String, like tensor: Tensor, fixed: ArraySlice<Int>) throws -> Tensor? {
            guard let value = values[prefix + name], value.shape != tensor.shape else { return nil }
            guard value.rank == tensor.rank, value.shape.dropFirst(tensor.rank - fixed.count) == fixed else {
                throw StateDictError.shapeMismatch(prefix + name, found: value.shape, expected: tensor.shape)
            }
            return Tensor.zeros(value.shape, requiresGrad: tensor.requiresGrad)
        }
        switch self {
        case let linear as Linear:
            let (weight, bias) = (linear.weight, linear.bias)
            undo.append { linear.weight = weight; linear.bias = bias }
            if let resized = try saved("weight", like: weight, fixed: []) { linear.weight = resized }
            if let bias, let resized = try saved("bias", like: bias, fixed: []) { linear.bias = resized }
        case let conv as Conv2d:
            let (weight, bias) = (conv.weight, conv.bias)
            undo.append { conv.weight = weight; conv.bias = bias }
            if let resized = try saved("weight", like: weight, fixed: weight.shape[2...]) { conv.weight = resized }
            if let bias, let resized = try saved("bias", like: bias, fixed: []) { conv.bias = resized }
        case let norm as BatchNorm:
            let old = (norm.weight, norm.bias, norm.runningMean, norm.runningVar)
            undo.append { (norm.weight, norm.bias, norm.runningMean, norm.runningVar) = old }
            if let resized = try saved("weight", like: norm.weight, fixed: []) {
                norm.weight = resized
                norm.bias = Tensor.zeros(resized.shape, requiresGrad: true)
                norm.runningMean = Tensor.zeros(resized.shape)
                norm.runningVar = Tensor.zeros(resized.shape)
            }
        default:
            if let sequential = self as? Sequential {
                sequential.rebuildFactorizedLayers(prefix: prefix, to: values, undo: &undo)
            }
            for child in children {
                try child.module.resizeLayers(prefix: "\(prefix)\(child.name).", to: values, undo: &undo)
            }
        }
    }
}

extension Sequential {
    /// Replaces each Linear or Conv2d layer that `values` holds as a low-rank factorisation
    /// (`<name>.0.weight` and `<name>.1.weight`, no `<name>.weight`) by the two layers of the
    /// saved rank; which convolution form is told by the first factor's kernel (k×1 of a
    /// k×k layer: spatial separable).
    fileprivate func rebuildFactorizedLayers(prefix: String, to values: [String: Tensor], undo: inout [() -> Void]) {
        for (index, layer) in layers.enumerated() {
            let path = prefix + layer.name
            guard values[path + ".weight"] == nil, values[path + ".1.weight"] != nil,
                  let first = values[path + ".0.weight"], first.rank >= 2 else { continue }
            let rank = first.shape[0]
            let factors: (Module, Module)
            switch layer.module {
            case let linear as Linear:
                factors = linear.factorizedLayers(rank: rank)
            case let conv as Conv2d:
                let separable = first.rank == 4 && first.shape[3] == 1 && conv.kernelSize.width > 1
                factors = conv.factorizedLayers(rank: rank, form: separable ? .spatialSeparable : .filterBasis)
            default:
                continue
            }
            replaceLayer(at: index, with: Sequential([("0", factors.0), ("1", factors.1)]))
            undo.append { self.replaceLayer(at: index, with: layer.module) }
        }
    }
}
