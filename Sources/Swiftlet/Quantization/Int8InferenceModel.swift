import Foundation
import SwiftletKernels

/// A calibrated model run entirely in integers between its layers: the input is quantized
/// once, every convolution and fully connected layer multiplies int8 codes into int32
/// (`int8GEMM`), adds its bias and applies ReLU while requantizing to the next layer's
/// int8 codes (`requantizeToInt8`), max-pooling compares codes, and only the last layer's
/// accumulators are turned back into float logits.
///
/// Built from a `Sequential` of Conv2d / Linear / ReLU / MaxPool2d / Flatten (Dropout is
/// skipped) that went through `prepareQuantization(…, activations: 8-bit scheme)` and
/// `calibrateQuantization` (or quantization-aware training). Weights become int8 symmetric
/// per-channel codes of the layer's fake-quantized weights; each layer's input scale and
/// zero point come from its calibrated observer. ReLUs are folded into the requantization
/// of the layer before them (max-pooling and flattening commute with ReLU).
/// Asymmetric activation codes 0…255 are held as int8 by subtracting 128 from codes and
/// zero point alike, which leaves every product sum unchanged.
public final class Int8InferenceModel {
    /// One step of the integer pipeline.
    enum Step {
        case conv(WeightLayer, Int8Convolution)
        /// Weights [outputs, depth]: rows of `window` codes zero-padded to `int8PaddedDepth`.
        case linear(WeightLayer, Int8PackedWeights, window: Int)
        case maxPool(Pool2dGeometry)
    }

    /// A quantized Conv2d or Linear: the integer epilogue (its weights travel in the `Step`).
    struct WeightLayer {
        let name: String
        let outputs: Int
        /// Shifted input zero point (code of 0.0 as held in int8).
        let inputZeroPoint: Int8
        /// Hidden layers: bias in accumulator units minus z_in·Σw, multipliers s_in·s_w/s_out,
        /// output zero point and clamp bounds (lower = zero point when ReLU is fused).
        let bias: [Int32]
        let multipliers: [Float]
        let outputZeroPoint: Int32
        let outputBounds: (lower: Int8, upper: Int8)
        /// Last layer: logits = dequantScale·(acc + bias) + floatBias.
        let dequantScales: [Float]
        let floatBias: [Float]
        let isLast: Bool
    }

    let steps: [Step]
    let inputShape: [Int]
    let inputScheme: QuantizationScheme
    let inputParameters: AffineParameters
    let classes: Int

    /// Builds the integer pipeline for images of `inputShape` ([C, H, W]).
    public init(_ model: Sequential, inputShape: [Int]) throws {
        guard inputShape.count == 3 else {
            throw TensorError.invalidArgument(op: "Int8InferenceModel", "inputShape must be [C, H, W], got \(inputShape)")
        }
        let layers = flattenedLayers(model, prefix: "")
        var kept: [(name: String, module: Module)] = []
        for (name, module) in layers {
            switch module {
            case is QuantizedLayer, is MaxPool2d, is ReLU, is Flatten: kept.append((name, module))
            case is Dropout: continue
            case is Linear, is Conv2d:
                throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(name) is a float \(type(of: module)); run prepareQuantization and calibrateQuantization first")
            default:
                throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(name) (\(type(of: module))) has no int8 implementation; supported: Conv2d, Linear, ReLU, MaxPool2d, Flatten, Dropout")
            }
        }
        let weightIndices = kept.indices.filter { kept[$0].module is QuantizedLayer }
        guard let firstIndex = weightIndices.first, let lastIndex = weightIndices.last else {
            throw TensorError.invalidArgument(op: "Int8InferenceModel", "the model has no quantized Conv2d or Linear layer")
        }
        guard !kept[lastIndex...].dropFirst().contains(where: { !($0.module is Flatten) }) else {
            throw TensorError.invalidArgument(op: "Int8InferenceModel", "the last layer must be a Conv2d or Linear (its float accumulators become the logits)")
        }
        guard kept[..<firstIndex].allSatisfy({ $0.module is Flatten }) else {
            throw TensorError.invalidArgument(op: "Int8InferenceModel", "the model must start with a Conv2d or Linear layer (optionally after Flatten)")
        }
        func inputQuantization(_ index: Int) throws -> (QuantizationScheme, AffineParameters) {
            let layer = kept[index].module as! QuantizedLayer  // filtered above
            guard let quantizer = layer.inputQuantizer, let parameters = quantizer.parameters else {
                throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name) has no calibrated input quantizer; prepare with activations: and calibrate")
            }
            let scheme = quantizer.scheme
            guard scheme.bits == 8, scheme.rounding == .nearest else {
                throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name): int8 inference needs 8-bit rounding activations, got \(scheme)")
            }
            return (scheme, parameters)
        }
        (inputScheme, inputParameters) = try inputQuantization(firstIndex)
        self.inputShape = inputShape

        var shape = inputShape  // per image: [C, H, W] or [features]
        var steps: [Step] = []
        for (position, index) in weightIndices.enumerated() {
            let layer = kept[index].module as! QuantizedLayer  // filtered above
            let (inScheme, inParameters) = try inputQuantization(index)
            let isLast = index == lastIndex
            let next = isLast ? nil : try inputQuantization(weightIndices[position + 1])
            let segment = isLast ? [] : Array(kept[(index + 1)..<weightIndices[position + 1]])
            let fusedReLU = segment.contains { $0.module is ReLU }
            var geometry: Conv2dGeometry?
            if let conv = layer.layer as? Conv2d {
                guard shape.count == 3, shape[0] == conv.inChannels, conv.groups == 1 else {
                    throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name) (groups \(conv.groups)) does not fit input \(shape); int8 convolution needs groups = 1")
                }
                let g = conv.geometry(batch: 1, imageShape: shape)
                guard g.isValid else {
                    throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name) gives no output for input \(shape)")
                }
                geometry = g
                shape = [g.outChannels, g.outHeight, g.outWidth]
            } else {
                let features = shape.reduce(1, *)
                guard features == layer.weight.shape[1] else {
                    throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name) expects \(layer.weight.shape[1]) features, gets \(features) (shape \(shape))")
                }
                shape = [layer.weight.shape[0]]
            }
            let (weightLayer, codes) = try makeWeightLayer(kept[index].name, layer, input: (inScheme, inParameters), output: next,
                                                           fusedReLU: fusedReLU, isLast: isLast)
            let window = codes.count / weightLayer.outputs
            // The direct convolution pads kernel rows to groups of 4: up to 4× the window.
            let windowLimit = Int8PackedWeights.depthLimit / 4 - 32
            guard window <= windowLimit else {
                throw TensorError.invalidArgument(op: "Int8InferenceModel", "layer \(kept[index].name) sums \(window) products per output; int8 inference supports at most \(windowLimit)")
            }
            if let geometry {
                steps.append(.conv(weightLayer, Int8Convolution(geometry, filters: codes, paddingCode: weightLayer.inputZeroPoint)))
            } else {
                let depth = int8PaddedDepth(window)
                var padded = [Int8](repeating: 0, count: weightLayer.outputs * depth)
                for j in 0..<weightLayer.outputs { for p in 0..<window { padded[j * depth + p] = codes[j * window + p] } }
                steps.append(.linear(weightLayer, Int8PackedWeights(padded, rows: weightLayer.outputs, depth: depth, ldw: depth), window: window))
            }
            for (name, module) in segment {
                guard let pool = module as? MaxPool2d else { continue }
                guard shape.count == 3 else {
                    throw TensorError.invalidArgument(op: "Int8InferenceModel", "max-pool \(name) after flattening")
                }
                let g = Pool2dGeometry(batch: 1, channels: shape[0], inHeight: shape[1], inWidth: shape[2],
                                       kernelHeight: pool.kernelSize.height, kernelWidth: pool.kernelSize.width,
                                       strideHeight: pool.stride.height, strideWidth: pool.stride.width,
                                       paddingHeight: pool.padding.height, paddingWidth: pool.padding.width)
                guard g.isValid else {
                    throw TensorError.invalidArgument(op: "Int8InferenceModel", "max-pool \(name) does not fit input \(shape)")
                }
                steps.append(.maxPool(g))
                shape = [shape[0], g.outHeight, g.outWidth]
            }
        }
        self.steps = steps
        classes = shape.reduce(1, *)
    }

    /// Logits [N, classes] for images [N, C, H, W]. `layerSeconds`, when given, receives
    /// the wall time of each step (for profiling).
    public func callAsFunction(_ images: Tensor, layerSeconds: ((String, Double) -> Void)? = nil) throws -> Tensor {
        guard images.rank == 4, Array(images.shape.dropFirst()) == inputShape else {
            throw TensorError.invalidArgument(op: "Int8InferenceModel", "expects images [N, \(inputShape.map(String.init).joined(separator: ", "))], got \(images.shape)")
        }
        let batch = images.shape[0]
        var clock = Date()
        func lap(_ name: String) {
            guard let layerSeconds else { return }
            let now = Date()
            layerSeconds(name, now.timeIntervalSince(clock))
            clock = now
        }
        let shift = inputScheme.mapping == .asymmetric ? Int32(128) : 0
        // The rounding is .nearest (checked in init), which is what quantizeToInt8 does.
        let range = inputScheme.codeRange
        var codes = [Int8](unsafeUninitializedCapacity: images.count) { out, initialized in
            images.scalars.withUnsafeBufferPointer {
                quantizeToInt8($0.baseAddress!, count: images.count, scale: inputParameters.scale, zeroPoint: inputParameters.zeroPoint,
                               lowerBound: range.lowerBound, upperBound: range.upperBound, shift: shift, output: out.baseAddress!)
            }
            initialized = images.count
        }
        lap("quantize input")
        var logits: [Float] = []
        for step in steps {
            switch step {
            case let .conv(layer, convolution):
                let output = convolve(codes, layer, convolution, batch: batch)
                if layer.isLast { logits = output.logits } else { codes = output.codes }
                lap(layer.name)
            case let .linear(layer, weights, window):
                let output = fullyConnected(codes, layer, weights, window: window, batch: batch)
                if layer.isLast { logits = output.logits } else { codes = output.codes }
                lap(layer.name)
            case let .maxPool(g):
                var pooled = g
                pooled.batch = batch
                let count = batch * g.channels * g.outHeight * g.outWidth
                codes = [Int8](unsafeUninitializedCapacity: count) { out, initialized in
                    codes.withUnsafeBufferPointer { int8MaxPool2d(pooled, input: $0.baseAddress!, output: out.baseAddress!) }
                    initialized = count
                }
                lap("max-pool")
            }
        }
        return Tensor(shape: [batch, classes], scalars: logits)
    }

    private func convolve(_ input: [Int8], _ layer: WeightLayer, _ convolution: Int8Convolution, batch: Int) -> (codes: [Int8], logits: [Float]) {
        let g = convolution.geometry, positions = g.outHeight * g.outWidth
        let perImage = g.outChannels * positions, inPerImage = g.inChannels * g.inHeight * g.inWidth
        var codes = [Int8](repeating: 0, count: layer.isLast ? 0 : batch * perImage)
        var logits = [Float](repeating: 0, count: layer.isLast ? batch * perImage : 0)
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { out in
                logits.withUnsafeMutableBufferPointer { floats in
                    let x = x.baseAddress!, out = out.baseAddress, floats = floats.baseAddress
                    Parallel.forRanges(batch) { images in
                        let scratch = UnsafeMutablePointer<Int8>.allocate(capacity: convolution.scratchCount)
                        let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: positions * g.outChannels)
                        defer { scratch.deallocate(); accumulators.deallocate() }
                        for image in images {
                            convolution.accumulate(image: x + image * inPerImage, scratch: scratch, accumulators: accumulators)
                            // [positions, channels] accumulators → [channels, positions] (NCHW).
                            layer.epilogue(m: positions, accumulators, codes: out.map { $0 + image * perImage },
                                           logits: floats.map { $0 + image * perImage }, rowStride: 1, columnStride: positions)
                        }
                    }
                }
            }
        }
        return (codes, logits)
    }

    private func fullyConnected(_ input: [Int8], _ layer: WeightLayer, _ weights: Int8PackedWeights, window: Int, batch: Int)
        -> (codes: [Int8], logits: [Float]) {
        var codes = [Int8](repeating: 0, count: layer.isLast ? 0 : batch * layer.outputs)
        var logits = [Float](repeating: 0, count: layer.isLast ? batch * layer.outputs : 0)
        // Rows padded with zeros to the weights' depth.
        let depth = weights.depth
        var padded = [Int8](repeating: 0, count: batch * depth)
        for row in 0..<batch {
            for p in 0..<window { padded[row * depth + p] = input[row * window + p] }
        }
        padded.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { out in
                logits.withUnsafeMutableBufferPointer { floats in
                    let x = x.baseAddress!, out = out.baseAddress, floats = floats.baseAddress
                    Parallel.forRanges(batch) { rows in
                        let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: rows.count * layer.outputs)
                        defer { accumulators.deallocate() }
                        weights.multiply(m: rows.count, a: x + rows.lowerBound * depth, lda: depth, c: accumulators, ldc: layer.outputs)
                        let offset = rows.lowerBound * layer.outputs
                        layer.epilogue(m: rows.count, accumulators, codes: out.map { $0 + offset }, logits: floats.map { $0 + offset },
                                       rowStride: layer.outputs, columnStride: 1)
                    }
                }
            }
        }
        return (codes, logits)
    }
}

extension Int8InferenceModel.WeightLayer {
    /// Requantizes accumulators [m, outputs] to int8 codes, or (last layer) dequantizes
    /// them to logits; both written at out[i·rowStride + j·columnStride].
    func epilogue(m: Int, _ accumulators: UnsafePointer<Int32>, codes: UnsafeMutablePointer<Int8>?, logits: UnsafeMutablePointer<Float>?,
                  rowStride: Int, columnStride: Int) {
        if isLast, let logits {
            for i in 0..<m {
                for j in 0..<outputs {
                    logits[i * rowStride + j * columnStride] = Float(accumulators[i * outputs + j] &+ bias[j]) * dequantScales[j] + floatBias[j]
                }
            }
        } else if let codes {
            bias.withUnsafeBufferPointer { b in
                multipliers.withUnsafeBufferPointer { scale in
                    requantizeToInt8(m: m, n: outputs, accumulators: accumulators, ldAccumulators: outputs, bias: b.baseAddress!,
                                     multipliers: scale.baseAddress!, zeroPoint: outputZeroPoint,
                                     lowerBound: outputBounds.lower, upperBound: outputBounds.upper,
                                     output: codes, rowStride: rowStride, columnStride: columnStride)
                }
            }
        }
    }
}

/// The integer epilogue of one layer and its int8 weights [outputs, window].
private func makeWeightLayer(
    _ name: String, _ layer: QuantizedLayer, input: (QuantizationScheme, AffineParameters),
    output: (QuantizationScheme, AffineParameters)?, fusedReLU: Bool, isLast: Bool
) throws -> (Int8InferenceModel.WeightLayer, codes: [Int8]) {
    // The weights the fake-quantized layer computes with, as int8 symmetric per channel.
    let effective = try layer.weight.fakeQuantized(as: layer.weightFormat).detached()
    let quantized = try QuantizedTensor(quantizing: effective, as: .affine(.int8Weights))
    let outputs = layer.weight.shape[0], window = layer.weight.count / outputs
    var weights = [Int8](repeating: 0, count: outputs * window)
    var rowSums = [Int32](repeating: 0, count: outputs)
    for j in 0..<outputs {
        for p in 0..<window {
            let code = quantized.codes[j * window + p]
            weights[j * window + p] = Int8(code)
            rowSums[j] += code
        }
    }
    func shifted(_ scheme: QuantizationScheme) -> Int32 { scheme.mapping == .asymmetric ? 128 : 0 }
    let inputZeroPoint = input.1.zeroPoint - shifted(input.0)
    let accumulatorScales = quantized.scales.map { input.1.scale * $0 }
    let floatBias = layer.bias?.scalars ?? [Float](repeating: 0, count: outputs)
    let zeroCorrection = rowSums.map { -inputZeroPoint * $0 }
    guard let (outScheme, outParameters) = output, !isLast else {
        return (.init(name: name, outputs: outputs, inputZeroPoint: Int8(inputZeroPoint),
                  bias: zeroCorrection, multipliers: [], outputZeroPoint: 0, outputBounds: (0, 0),
                  dequantScales: accumulatorScales, floatBias: floatBias, isLast: true), weights)
    }
    let outShift = shifted(outScheme)
    let outputZeroPoint = outParameters.zeroPoint - outShift
    let lower = Int8(fusedReLU ? max(outputZeroPoint, outScheme.codeRange.lowerBound - outShift) : outScheme.codeRange.lowerBound - outShift)
    let bias = (0..<outputs).map { j -> Int32 in
        let units = (floatBias[j] / accumulatorScales[j]).rounded(.toNearestOrEven)
        return Int32(max(min(units, 1e9), -1e9)) + zeroCorrection[j]
    }
    return (.init(name: name, outputs: outputs, inputZeroPoint: Int8(inputZeroPoint),
              bias: bias, multipliers: accumulatorScales.map { $0 / outParameters.scale }, outputZeroPoint: outputZeroPoint,
              outputBounds: (lower, Int8(outScheme.codeRange.upperBound - outShift)),
              dequantScales: [], floatBias: [], isLast: false), weights)
}

/// The layers of nested `Sequential`s in forward order, with dotted names.
private func flattenedLayers(_ model: Sequential, prefix: String) -> [(name: String, module: Module)] {
    model.layers.flatMap { name, module -> [(name: String, module: Module)] in
        let path = prefix.isEmpty ? name : "\(prefix).\(name)"
        if let inner = module as? Sequential { return flattenedLayers(inner, prefix: path) }
        return [(path, module)]
    }
}
