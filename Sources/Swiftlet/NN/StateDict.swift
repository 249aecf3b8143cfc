/// A mismatch between saved tensors and a model's parameters and buffers.
public enum StateDictError: Error, Equatable, CustomStringConvertible {
    /// A parameter or buffer of the model that the saved tensors lack.
    case missing(String)
    /// A saved tensor the model has no parameter or buffer for.
    case unexpected(String)
    /// A saved tensor whose shape differs from the model's parameter of that name.
    case shapeMismatch(String, found: [Int], expected: [Int])

    public var description: String {
        switch self {
        case let .missing(name): return "tensor \"\(name)\" is missing"
        case let .unexpected(name): return "unexpected tensor \"\(name)\" (the model has no such parameter or buffer)"
        case let .shapeMismatch(name, found, expected): return "tensor \"\(name)\" has shape \(found), expected \(expected)"
        }
    }
}

extension Module {
    /// Copies saved values into the parameters and buffers of the same names, as PyTorch's
    /// `load_state_dict(strict=True)`: every name must be present, no extra name is allowed,
    /// and shapes must match. Nothing is changed unless everything fits.
    public func loadStateDict(_ values: [String: Tensor]) throws {
        let targets = stateDict
        for (name, tensor) in targets {
            guard let value = values[name] else { throw StateDictError.missing(name) }
            guard value.shape == tensor.shape else {
                throw StateDictError.shapeMismatch(name, found: value.shape, expected: tensor.shape)
            }
        }
        let known = Set(targets.map(\.name))
        if let extra = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw StateDictError.unexpected(extra)
        }
        for (name, tensor) in targets { tensor.scalars = values[name]!.scalars }
    }
}
