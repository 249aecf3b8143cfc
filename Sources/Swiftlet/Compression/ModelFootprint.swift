/// What a model costs: parameters, how many are zero, bytes on disk dense and sparse, and
/// FLOPs per image dense and with zero weights skipped.
public struct ModelFootprint {
    /// All learnable scalars.
    public let parameters: Int
    /// Learnable scalars that are not zero.
    public let nonzeroParameters: Int
    /// Percentage of zeros among the prunable weights (`prunableParameters`): the one
    /// definition of sparsity every command and report uses.
    public let weightSparsity: Double
    /// fp32 storage of every parameter.
    public let denseBytes: Int
    /// Storage when each weight tensor uses the smallest of dense, bitmap + values and CSR,
    /// index overhead included.
    public let sparseBytes: Int
    /// 2 × multiply-accumulates per image, dense.
    public let flops: Int
    /// 2 × multiply-accumulates per image that involve a non-zero weight.
    public let nonzeroFlops: Int

    /// Measures `model` as it computes: a quantized layer's weight at its quantized values
    /// (see `withWeightsAsComputed`), so a model and the checkpoint written from it measure alike.
    public init(of model: Module, inputShape: [Int]) throws {
        self = try model.withWeightsAsComputed { try ModelFootprint(measuring: model, inputShape: inputShape) }
    }

    private init(measuring model: Module, inputShape: [Int]) throws {
        let named = model.namedParameters
        parameters = named.reduce(0) { $0 + $1.tensor.count }
        nonzeroParameters = named.reduce(0) { $0 + $1.tensor.scalars.nonzeroCount }
        let weights = model.prunableParameters.map(\.tensor)
        let weightCount = weights.reduce(0) { $0 + $1.count }
        let zeroWeights = weights.reduce(0) { $0 + $1.count - $1.scalars.nonzeroCount }
        weightSparsity = weightCount == 0 ? 0 : 100 * Double(zeroWeights) / Double(weightCount)
        denseBytes = 4 * parameters
        sparseBytes = named.reduce(0) { $0 + sparseStorageBytes($1.tensor) }
        let traces = try model.traceLayers(inputShape: inputShape)
        flops = 2 * traces.reduce(0) { $0 + $1.macs }
        nonzeroFlops = 2 * traces.reduce(0) { $0 + $1.nonzeroMACs }
    }
}

/// Bytes to store `tensor` in the smallest of three layouts:
/// dense fp32 (4n); a bitmap of n bits plus 4 bytes per non-zero; or CSR over rows
/// (dim 0): 4 bytes per value, a column index per value (1, 2 or 4 bytes, by the row
/// length), and 4 bytes per row pointer.
public func sparseStorageBytes(_ tensor: Tensor) -> Int {
    let n = tensor.count
    let nonzero = tensor.scalars.nonzeroCount
    let dense = 4 * n
    let bitmap = (n + 7) / 8 + 4 * nonzero
    let rows = tensor.rank >= 2 ? tensor.shape[0] : 1
    let columns = n / max(rows, 1)
    let indexBytes = columns <= 1 << 8 ? 1 : (columns <= 1 << 16 ? 2 : 4)
    let csr = (4 + indexBytes) * nonzero + 4 * (rows + 1)
    return min(dense, bitmap, csr)
}
