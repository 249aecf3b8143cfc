/// Why a low-rank decomposition was refused. Each message names the layer and the value
/// that was received, and says what would have been accepted.
public enum DecompositionError: Error, Equatable, CustomStringConvertible {
    /// No layer has this path; `decomposable` lists the Linear and Conv2d layers that do exist.
    case unknownLayer(String, decomposable: [String])
    /// The layer exists but cannot be factorised (not Linear/Conv2d, or a grouped convolution).
    case unsupportedLayer(String, reason: String)
    /// The rank is not in 1…`maximum` (the smaller dimension of the factorised matrix).
    case invalidRank(Int, layer: String, maximum: Int)
    /// The energy fraction is not in (0, 1].
    case invalidEnergy(Double)

    public var description: String {
        switch self {
        case let .unknownLayer(name, decomposable):
            return "no layer named \"\(name)\"; layers that can be decomposed: \(decomposable.isEmpty ? "none" : decomposable.joined(separator: ", "))"
        case let .unsupportedLayer(name, reason):
            return "layer \"\(name)\" cannot be decomposed: \(reason)"
        case let .invalidRank(rank, layer, maximum):
            return "rank \(rank) is not possible for \(layer): it must be between 1 and \(maximum)"
        case let .invalidEnergy(fraction):
            return "energy fraction \(fraction) must be greater than 0 and at most 1 (e.g. 0.9 keeps 90% of Σσ²)"
        }
    }
}
