import Foundation

// Checkpoints are safetensors files with PyTorch's state-dict names, so
// `safetensors.torch.load_file` + `load_state_dict` reads them into the equivalent
// nn.Module. Optimizer state goes to a companion file so training resumes exactly.

extension Module {
    /// Every parameter and buffer (F32; `num_batches_tracked` as I64, as PyTorch stores it)
    /// as a safetensors file with `metadata`; throws `NonFiniteWeightsError` (naming `destination`)
    /// instead if any is NaN or infinite, so no checkpoint ever holds them.
    public func stateFile(metadata: [String: String] = [:], destination: URL? = nil) throws -> SafeTensorsFile {
        try requireFiniteState(writing: destination)
        var file = SafeTensorsFile(metadata: metadata)
        for (name, tensor) in stateDict {
            file.tensors[name] = name.hasSuffix("num_batches_tracked")
                ? SafeTensorsRecord(integers: tensor.scalars.map { Int64($0) }, shape: tensor.shape)
                : SafeTensorsRecord(floats: tensor.scalars, shape: tensor.shape)
        }
        return file
    }

    /// Writes `stateFile(metadata:)` to `url`, atomically.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try stateFile(metadata: metadata, destination: url).write(to: url)
    }

    /// Loads parameters and buffers from `url`, strictly: the file must hold exactly this
    /// model's tensor names with the same shapes, and finite values unless `allowNonFinite`.
    /// Nothing changes unless all of it fits. Errors name the file, the tensor and what was expected.
    @discardableResult
    public func load(from url: URL, allowNonFinite: Bool = false) throws -> SafeTensorsFile {
        let file = try SafeTensorsFile.read(from: url)
        try load(file, allowNonFinite: allowNonFinite)
        return file
    }

    /// As `load(from:allowNonFinite:)`, from a file already read (to look at its metadata first).
    public func load(_ file: SafeTensorsFile, allowNonFinite: Bool = false) throws {
        let targets = stateDict
        try file.requireExactly(names: targets.map(\.name))
        let values = try targets.map { name, tensor in
            name.hasSuffix("num_batches_tracked")
                ? try file.integers(named: name, shape: tensor.shape).map(Float.init)
                : try file.weights(named: name, shape: tensor.shape, allowNonFinite: allowNonFinite)
        }
        for ((_, tensor), scalars) in zip(targets, values) { tensor.scalars = scalars }
    }
}

extension Optimizer {
    /// The optimizer's state (momentum buffers or Adam moments, by parameter index), pruning
    /// masks (`mask.<index>`), step count and learning rate, as a safetensors file.
    public var stateFile: SafeTensorsFile {
        var file = SafeTensorsFile(metadata: ["step_count": "\(stepCount)", "learning_rate": "\(learningRate)",
                                              "optimizer": "\(type(of: self))"])
        for (name, values) in state { file.tensors[name] = SafeTensorsRecord(floats: values, shape: [values.count]) }
        for (slot, mask) in masks { file.tensors["\(Self.maskPrefix)\(slot)"] = SafeTensorsRecord(floats: mask, shape: [mask.count]) }
        return file
    }

    private static var maskPrefix: String { "mask." }

    /// Writes `stateFile` to `url`, atomically.
    public func saveState(to url: URL) throws {
        try stateFile.write(to: url)
    }

    /// Restores what `saveState(to:)` wrote, for this optimizer's parameters, masks included.
    /// Everything is checked before anything changes — a step count ≥ 0, a finite learning
    /// rate ≥ 0, finite state, masks of 0 and 1 — so a damaged file leaves the optimizer as it was
    /// instead of resuming into NaN weights.
    public func loadState(from url: URL) throws {
        let file = try SafeTensorsFile.read(from: url)
        func fail(_ why: String) -> SafeTensorsError { SafeTensorsError(file: url.path, reason: .malformedHeader(why)) }
        guard let steps = file.metadata["step_count"].flatMap(Int.init), let rate = file.metadata["learning_rate"].flatMap(Float.init) else {
            throw fail("optimizer state needs step_count and learning_rate metadata")
        }
        guard steps >= 0 else { throw fail("step_count is \(steps), expected a count ≥ 0") }
        guard rate.isFinite, rate >= 0 else { throw fail("learning_rate is \(rate), expected a finite rate ≥ 0") }
        let expected = "\(type(of: self))"
        if let saved = file.metadata["optimizer"], saved != expected {
            throw fail("holds \(saved) state, expected \(expected)")
        }
        var state: [String: [Float]] = [:], masks: [Int: [Float]] = [:]
        for name in file.tensors.keys {
            if name.hasPrefix(Self.maskPrefix) {
                guard let slot = Int(name.dropFirst(Self.maskPrefix.count)), parameters.indices.contains(slot) else {
                    throw fail("mask \(name) names no parameter of this optimizer (it has \(parameters.count))")
                }
                let mask = try file.weights(named: name, allowNonFinite: false)
                if let index = mask.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                    throw fail("mask \(name) holds \(mask[index]) at element \(index), expected only 0 and 1")
                }
                guard mask.count == parameters[slot].count else {
                    throw fail("mask \(name) has \(mask.count) entries for a parameter of shape \(parameters[slot].shape)")
                }
                masks[slot] = mask
            } else {
                state[name] = try file.weights(named: name, allowNonFinite: false)
            }
        }
        do {
            try loadState(state, stepCount: steps)
            for (slot, mask) in masks.sorted(by: { $0.key < $1.key }) { try setMask(mask, for: parameters[slot]) }
        } catch let error as OptimizerError {
            throw fail("\(error)")
        }
        learningRate = rate
    }
}
