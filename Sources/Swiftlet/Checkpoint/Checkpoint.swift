import Foundation

// Checkpoints are safetensors files with PyTorch's state-dict names, so
// `safetensors.torch.load_file` + `load_state_dict` reads them into the equivalent
// nn.Module. Optimizer state goes to a companion file so training resumes exactly.

extension Module {
    /// Writes every parameter and buffer (F32; `num_batches_tracked` as I64, as PyTorch
    /// stores it) to `url`, atomically; throws `NonFiniteWeightsError` instead if any is NaN or infinite.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try requireFiniteState(writing: url)
        var file = SafeTensorsFile(metadata: metadata)
        for (name, tensor) in stateDict {
            file.tensors[name] = name.hasSuffix("num_batches_tracked")
                ? SafeTensorsRecord(integers: tensor.scalars.map { Int64($0) }, shape: tensor.shape)
                : SafeTensorsRecord(floats: tensor.scalars, shape: tensor.shape)
        }
        try file.write(to: url)
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
    /// Writes the optimizer's state (momentum buffers or Adam moments, by parameter index),
    /// step count and learning rate to `url`, atomically.
    public func saveState(to url: URL) throws {
        var file = SafeTensorsFile(metadata: ["step_count": "\(stepCount)", "learning_rate": "\(learningRate)",
                                              "optimizer": "\(type(of: self))"])
        for (name, values) in state { file.tensors[name] = SafeTensorsRecord(floats: values, shape: [values.count]) }
        try file.write(to: url)
    }

    /// Restores what `saveState(to:)` wrote, for this optimizer's parameters.
    public func loadState(from url: URL) throws {
        let file = try SafeTensorsFile.read(from: url)
        guard let steps = file.metadata["step_count"].flatMap(Int.init), let rate = file.metadata["learning_rate"].flatMap(Float.init) else {
            throw SafeTensorsError(file: url.path, reason: .malformedHeader("optimizer state needs step_count and learning_rate metadata"))
        }
        let expected = "\(type(of: self))"
        if let saved = file.metadata["optimizer"], saved != expected {
            throw SafeTensorsError(file: url.path, reason: .malformedHeader("holds \(saved) state, expected \(expected)"))
        }
        var state: [String: [Float]] = [:]
        for name in file.tensors.keys { state[name] = try file.floats(named: name) }
        do {
            try loadState(state, stepCount: steps)
        } catch let error as TensorError {
            throw SafeTensorsError(file: url.path, reason: .malformedHeader("\(error)"))
        }
        learningRate = rate
    }
}
