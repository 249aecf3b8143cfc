/// Sets every `Quantizable` layer of `model` (Linear, Conv2d and any layer of your own that
/// adopts the protocol) to compute with weights fake-quantized in `weights` format and, when
/// `activations` is given, inputs fake-quantized by a fresh observer per layer; returns
/// those layers with their dotted paths. The model keeps its parameter names and tensors,
/// so an optimizer made before or after keeps working: train it for quantization-aware
/// training, or `calibrateQuantization` it for post-training quantization.
@discardableResult
public func prepareQuantization(
    _ model: Module, weights: QuantizationFormat, activations: QuantizationScheme? = nil,
    observer makeObserver: () throws -> QuantizationObserver = { MinMaxObserver() }
) throws -> [(name: String, layer: Quantizable)] {
    let prepared = try setQuantization(model) { _ in
        LayerQuantization(weightFormat: weights, inputQuantizer: try activations.map { try ActivationQuantizer(scheme: $0, observer: makeObserver()) })
    }
    guard !prepared.isEmpty else {
        throw QuantizationError.noQuantizableLayer
    }
    return prepared
}

/// Sets the quantization of each `Quantizable` layer for which `choose(path)` gives one;
/// returns those layers with their paths, in tree order.
func setQuantization(
    _ model: Module, _ choose: (String) throws -> LayerQuantization?
) throws -> [(name: String, layer: Quantizable)] {
    var chosen: [(name: String, layer: Quantizable)] = []
    for (path, module) in model.namedModules {
        guard let layer = module as? Quantizable, let quantization = try choose(path) else { continue }
        layer.quantization = quantization
        chosen.append((path, layer))
    }
    return chosen
}

extension Module {
    /// Every `Quantizable` layer that computes quantized, with its dotted path, in tree order.
    public var quantizedLayers: [(name: String, layer: Quantizable)] {
        namedModules.compactMap { path, module in
            guard let layer = module as? Quantizable, layer.quantization != nil else { return nil }
            return (path, layer)
        }
    }

    /// Switches the activation observers and the activation fake quantization of every
    /// quantized layer (nil leaves a setting as it is).
    public func setActivationQuantization(observing: Bool? = nil, quantizing: Bool? = nil) {
        for (_, layer) in quantizedLayers {
            guard let quantizer = layer.quantization?.inputQuantizer else { continue }
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
    if let unobserved = model.quantizedLayers.first(where: { $0.layer.quantization?.inputQuantizer.map { $0.parameters == nil } ?? false }) {
        throw QuantizationError.notCalibrated(layer: unobserved.name)
    }
}
