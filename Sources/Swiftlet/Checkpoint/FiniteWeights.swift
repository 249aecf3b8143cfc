import Foundation

/// A checkpoint is never written with NaN or infinite values: such a model computes only
/// NaN, and a file that looks like a result would hide the divergence that made it.
public struct NonFiniteWeightsError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint that was not written, when known.
    public let file: String?
    /// The tensor holding the first non-finite value.
    public let tensor: String
    /// How many of its values are NaN or infinite.
    public let count: Int

    public var description: String {
        "\(file.map { "not writing \($0)" } ?? "not writing the checkpoint"): \(tensor) holds \(count) NaN or infinite "
            + "value\(count == 1 ? "" : "s") (did training diverge? try a lower learning rate)"
    }
}

extension Module {
    /// Throws `NonFiniteWeightsError` for the first parameter or buffer holding a NaN or an
    /// infinity; `file` names the checkpoint about to be written.
    func requireFiniteState(writing file: URL? = nil) throws {
        for (name, tensor) in stateDict where !tensor.scalars.allFinite {
            throw NonFiniteWeightsError(file: file?.path, tensor: name, count: tensor.scalars.filter { !$0.isFinite }.count)
        }
    }
}
