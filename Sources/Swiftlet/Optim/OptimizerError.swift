/// Why an optimizer refused a mask, a weight constraint, a weight sharing or a saved state. Each message names
/// the tensor or state entry and says what was expected.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// `op` was given a tensor (of `shape`) that the optimizer does not update.
    case notAParameter(op: String, shape: [Int])
    /// A mask needs one entry per element of the parameter of `shape`.
    case maskSizeMismatch(entries: Int, shape: [Int])
    /// A weight sharing needs one cluster assignment per element of the tensor of `shape`.
    case assignmentCountMismatch(assignments: Int, shape: [Int])
    /// A max-norm bound must be a positive finite number.
    case invalidMaxNorm(Float)
    /// A row-norm constraint needs a weight with one row per output unit (rank ≥ 2).
    case noRows(op: String, shape: [Int])
    /// Saved state lacks `key` (`"<slot>.<name>"`) while other entries of its slot are there.
    case missingState(String)
    /// Saved state `key` holds `count` values for a parameter of `expected` elements.
    case stateSizeMismatch(String, count: Int, expected: Int)
    /// Saved state `key` belongs to no parameter of this optimizer.
    case unexpectedState(String, parameters: Int)

    public var description: String {
        switch self {
        case let .notAParameter(op, shape):
            return "\(op): a tensor of shape \(shape) is not one of this optimizer's parameters"
        case let .maskSizeMismatch(entries, shape):
            return "setMask: the mask has \(entries) entries for a parameter of shape \(shape), expected \(shape.reduce(1, *))"
        case let .assignmentCountMismatch(assignments, shape):
            return "SharedCentroidOptimizer: the sharing has \(assignments) assignments for a tensor of shape \(shape), expected \(shape.reduce(1, *))"
        case let .invalidMaxNorm(bound):
            return "constrainRowNorms: the bound must be a positive finite number, got \(bound)"
        case let .noRows(op, shape):
            return "\(op): a tensor of shape \(shape) has no rows of incoming weights (expected rank 2 or more)"
        case let .missingState(key):
            return "loadState: optimizer state \"\(key)\" is missing"
        case let .stateSizeMismatch(key, count, expected):
            return "loadState: optimizer state \"\(key)\" has \(count) values for a parameter of \(expected)"
        case let .unexpectedState(key, parameters):
            return "loadState: unexpected optimizer state \"\(key)\" (the optimizer has \(parameters) parameters, slots 0..<\(parameters))"
        }
    }
}
