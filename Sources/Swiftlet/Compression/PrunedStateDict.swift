import Foundation

extension Module {
    /// Loads a checkpoint saved after structured pruning or low-rank decomposition into a
    /// freshly built model of the original architecture — the built-in models and your own
    /// alike: each tensor first takes the size the checkpoint's tensor has along dimensions
    /// 0 and 1 (fewer units, filters, channels: what structured pruning changes; kernel sizes
    /// must match), a `Factorizable` layer saved as its two factors (`fc1.0.weight`,
    /// `fc1.1.weight` instead of `fc1.weight`, as `decompose` leaves it) becomes those two
    /// layers, then every value is loaded as strictly as `loadStateDict`. On any error the
    /// model is left as it was.
    public func loadPrunedStateDict(_ values: [String: Tensor]) throws {
        var undo: [() -> Void] = []
        do {
            try rebuildFactorizedLayers(to: values, undo: &undo)
            for (name, tensor) in stateDict {
                guard let saved = values[name], saved.shape != tensor.shape else { continue }
                // Structured pruning only removes units, so dimensions 0 and 1 may only shrink
                // (a file cannot make a layer of 2⁶⁰ units).
                guard saved.rank == tensor.rank, saved.shape.dropFirst(2) == tensor.shape.dropFirst(2),
                      zip(saved.shape.prefix(2), tensor.shape).allSatisfy({ $0 >= 1 && $0 <= $1 }) else {
                    throw StateDictError.shapeMismatch(name, found: saved.shape, expected: tensor.shape)
                }
                let old = (tensor.shape, tensor.scalars)
                undo.append { tensor.resize(to: old.0, scalars: old.1) }
                tensor.resize(to: saved.shape, scalars: [Float](repeating: 0, count: saved.count))
            }
            try loadStateDict(values)
        } catch {
            for restore in undo.reversed() { restore() }
            throw error
        }
    }

    /// Reads a checkpoint that may have been shrunk by structured pruning (`save(to:)` of a
    /// model after `pruneChannels`) into this freshly built model of the original architecture,
    /// resizing its layers to the saved sizes (`loadPrunedStateDict`). A checkpoint of the
    /// full-size model loads exactly as with `load(from:)`, NaN and infinity refused unless
    /// `allowNonFinite`.
    @discardableResult
    public func loadPruned(from url: URL, allowNonFinite: Bool = false) throws -> SafeTensorsFile {
        let file = try SafeTensorsFile.read(from: url)
        try loadPruned(file, allowNonFinite: allowNonFinite)
        return file
    }

    /// `loadPruned(from:)` for a file already read; errors name `file.source`.
    public func loadPruned(_ file: SafeTensorsFile, allowNonFinite: Bool = false) throws {
        var values: [String: Tensor] = [:]
        for (name, record) in file.tensors {
            let scalars = name.hasSuffix("num_batches_tracked")
                ? try file.integers(named: name).map(Float.init) : try file.weights(named: name, allowNonFinite: allowNonFinite)
            values[name] = Tensor(shape: record.shape, scalars: scalars)
        }
        do {
            try loadPrunedStateDict(values)
        } catch let error as StateDictError {
            // The same errors `load(from:)` gives, naming the file.
            switch error {
            case let .missing(name): throw SafeTensorsError(file: file.source, reason: .namesMismatch(missing: [name], unexpected: []))
            case let .unexpected(name): throw SafeTensorsError(file: file.source, reason: .namesMismatch(missing: [], unexpected: [name]))
            case let .shapeMismatch(name, found, expected):
                throw SafeTensorsError(file: file.source, reason: .shapeMismatch(tensor: name, shape: found, expected: expected))
            }
        }
    }

    /// Replaces each `Factorizable` layer that `values` holds as a low-rank factorisation
    /// (`<path>.0.weight` and `<path>.1.weight`, no `<path>.weight`) by its two factor layers
    /// of the saved rank.
    private func rebuildFactorizedLayers(to values: [String: Tensor], undo: inout [() -> Void]) throws {
        for (path, module) in namedModules where !path.isEmpty {
            guard let layer = module as? Factorizable, values[path + ".weight"] == nil, values[path + ".1.weight"] != nil,
                  let first = values[path + ".0.weight"] else { continue }
            try replaceSubmodule(at: path, with: try layer.factorization(shapedLike: first.shape))
            // The slot just took the factors, so it takes its own layer back.
            undo.append { try? self.replaceSubmodule(at: path, with: module) }
        }
    }
}
