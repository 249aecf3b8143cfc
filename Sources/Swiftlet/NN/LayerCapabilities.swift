// What a layer can do for the compression passes, as protocols. The built-in layers adopt
// them; a layer of your own adopts them to take part in the same passes. A pass selects
// modules by path and capability, then applies itself — it never asks for a layer's class:
//
//     for (path, layer) in model.namedModules { if let layer = layer as? Quantizable { … } }
//
// Structured pruning, BatchNorm folding, the int8 engine and export need no protocol: they
// read the ops a layer runs from the traced graph (ModelGraph.swift).

/// A layer whose weights unstructured pruning may zero (`pruneByMagnitude`, gradual
/// pruning, masks). Layers that do not adopt it offer their rank ≥ 2 tensors named
/// `weight` (or ending in `weight`), as PyTorch users expect of a weight.
public protocol PrunableWeights: Module {
    /// This layer's prunable tensors, by local name (`"weight"`).
    var prunableWeights: [(name: String, tensor: Tensor)] { get }
}

/// A layer that can compute with fake-quantized weights and inputs, for quantization-aware
/// training and calibration (`prepareQuantization`). Its `forward` passes its input and
/// weight through `quantized(input:weight:)` before computing.
public protocol Quantizable: Module {
    /// The weight that quantization rounds, output channels along axis 0.
    var quantizableWeight: Tensor { get }
    /// How the layer quantizes; nil computes in float.
    var quantization: LayerQuantization? { get set }
}

/// A layer that can be replaced by two thinner layers by truncated SVD (`decompose`).
public protocol Factorizable: Module {
    /// The factorisation keeping `selection` singular values; `form` says which matrix of a
    /// convolution kernel is factorised (other layers ignore it).
    func lowRank(_ selection: RankSelection, form: ConvFactorization) throws -> LowRankFactorization
    /// Two factor layers of the shapes a saved factorisation has, their values still to be
    /// loaded: `firstFactor` is the shape of the saved `<layer>.0.weight`.
    func factorization(shapedLike firstFactor: [Int]) throws -> Module
}

/// A layer that counts its own multiply-accumulates, instead of the sum over the ops it
/// runs (a sparse layer that skips zeros, a layer that computes outside Swiftlet's ops).
public protocol CountsMACs: Module {
    /// Multiply-accumulates for one image whose input and output have `inputShape` and
    /// `outputShape` (batch dimension included): all of them, and those with a non-zero weight.
    func macs(inputShape: [Int], outputShape: [Int]) -> (dense: Int, nonzero: Int)
}
