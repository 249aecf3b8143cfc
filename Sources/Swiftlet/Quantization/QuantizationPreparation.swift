/// Turns every `Linear` and `Conv2d` of `model` (nested `Sequential`s included) into a
/// `QuantizedLayer` in place — weight fake quantization in `weights` format and, when
/// `activations` is given, input fake quantization with a fresh observer per layer — and
/// returns those layers with their dotted names. The model keeps its parameter names and
/// tensors, so an optimizer made before or after keeps working: train it for
/// quantization-aware training, or `calibrateQuantization` it for post-training
/// quantization.
@discardableResult
public func prepareQuantization(
    _ model: Sequential, weights: QuantizationFormat, activations: QuantizationScheme? = nil,
    observer makeObserver: () throws -> QuantizationObserver = { MinMaxObserver() }
) throws -> [(name: String, layer: QuantizedLayer)] {
    let prepared = try replaceWithQuantizedLayers(model) { _ in
        (weights, try activations.map { try ActivationQuantizer(scheme: $0, observer: makeObserver()) })
    }
    guard !prepared.isEmpty else {
        throw TensorError.invalidArgument(op: "prepareQuantization", "the model has no Linear or Conv2d layer to quantize")
    }
    return prepared
}

/// Replaces, in place, each `Linear` and `Conv2d` (nested `Sequential`s included) for which
/// `choose(dottedName)` gives a weight format by a `QuantizedLayer` with that format and
/// input quantizer; returns the new layers in forward order.
func replaceWithQuantizedLayers(
    _ model: Sequential, _ choose: (String) throws -> (QuantizationFormat, ActivationQuantizer?)?
) throws -> [(name: String, layer: QuantizedLayer)] {
    var replaced: [(name: String, layer: QuantizedLayer)] = []
    func visit(_ sequential: Sequential, prefix: String) throws {
        for (name, module) in sequential.layers {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let inner = module as? Sequential {
                try visit(inner, prefix: path)
            } else if module is Linear || module is Conv2d, let (format, quantizer) = try choose(path) {
                let layer = try QuantizedLayer(module, weightFormat: format, inputQuantizer: quantizer)
                try sequential.replaceLayer(named: name, with: layer)
                replaced.append((path, layer))
            }
        }
    }
    try visit(model, prefix: "")
    return replaced
}

extension Module {
    /// Every `QuantizedLayer` in the tree, with its dotted name, in forward order.
    public var quantizedLayers: [(name: String, layer: QuantizedLayer)] {
        if let layer = self as? QuantizedLayer { return [("", layer)] }
        return children.flatMap { child in
            child.module.quantizedLayers.map { (name: $0.name.isEmpty ? child.name : "\(child.name).\($0.name)", layer: $0.layer) }
        }
    }

    /// Switches the activation observers and the activation fake quantization of every
    /// `QuantizedLayer` (nil leaves a setting as it is).
    public func setActivationQuantization(observing: Bool? = nil, quantizing: Bool? = nil) {
        for (_, layer) in quantizedLayers {
            guard let quantizer = layer.inputQuantizer else { continue }
            if let observing { quantizer.isObserving = observing }
            if let quantizing { quantizer.isQuantizing = quantizing }
        }
    }
}

/// Post-training calibration: runs `batches` (images only; a few hundred suffice) through
/// `model` in evaluation mode without gradients, observers on and activation fake
/// quantization off, so each observer sees float activations; then freezes the observers
/// and switches fake quantization on. Throws if a quantizer saw no finite value.
public func calibrateQuantization<Batches: Sequence>(_ model: Module, batches: Batches) throws
where Batches.Element == Tensor {
    let wasTraining = model.isTraining
    model.eval()
    defer { if wasTraining { model.train() } }
    model.setActivationQuantization(observing: true, quantizing: false)
    try withNoGrad {
        for images in batches { _ = try model(images) }
    }
    model.setActivationQuantization(observing: false, quantizing: true)
    if let unobserved = model.quantizedLayers.first(where: { $0.layer.inputQuantizer != nil && $0.layer.inputQuantizer?.parameters == nil }) {
        throw TensorError.invalidArgument(op: "calibrateQuantization", "layer \(unobserved.name) saw no input values (were the calibration batches empty?)")
    }
}
