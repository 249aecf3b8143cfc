import SwiftletKernels

/// A prepared form of `weight` (packed, transformed) made while the weight was at `version`.
struct PreparedWeight<Prepared: AnyObject> {
    let weight: Tensor
    let version: Int
    let prepared: Prepared

    init(_ weight: Tensor, _ make: () -> Prepared) {
        self.weight = weight
        version = weight.version
        prepared = make()
    }

    /// The prepared form if it is still that of `tensor` — the same tensor, unchanged since —
    /// and `fits` accepts it; nil otherwise.
    func prepared(for tensor: Tensor, fits: (Prepared) -> Bool = { _ in true }) -> Prepared? {
        weight === tensor && version == tensor.version && fits(prepared) ? prepared : nil
    }
}

/// A layer's weight kept in the form its kernel multiplies with, between inference calls, as
/// ONNX Runtime keeps pre-packed weights (`Linear`: packed for `sgemm`; `Conv2d`: the form of
/// its convolution path). Made at the first call in evaluation mode without gradients, made
/// again when the weight is another tensor or has changed since (its version), dropped by a
/// call in training mode. Costs about as much memory as the weight. Not locked: a module
/// belongs to one thread at a time (docs/concurrency.md).
struct InferenceWeightCache<Prepared: AnyObject> {
    private(set) var entry: PreparedWeight<Prepared>?

    /// The prepared form of `weight` for a call of `module` — made by `make` unless the one
    /// kept is still that of `weight` and `fits` it — or nil where keeping one could go stale
    /// or would be wrong: in training mode (which also drops it), with gradients recorded, or
    /// when `weight` is not the layer's own (fake-quantized).
    mutating func prepared(
        for weight: Tensor, of module: Module, own: Tensor, fits: (Prepared) -> Bool = { _ in true }, make: () -> Prepared
    ) -> Prepared? {
        guard !module.isTraining else {
            entry = nil
            return nil
        }
        guard weight === own, !GradMode.isEnabled else { return nil }
        if let kept = entry?.prepared(for: weight, fits: fits) { return kept }
        let made = PreparedWeight(weight, make)
        entry = made
        return made.prepared
    }
}
