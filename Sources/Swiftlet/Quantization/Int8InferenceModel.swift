import Foundation
import SwiftletKernels

/// A model run entirely in integers between its layers, compiled from its traced graph (any
/// model: skip connections and concatenations included): the input is quantized once, every
/// conv2d and linear op multiplies int8 codes into int32 (`int8GEMM`), adds its bias and
/// applies a following ReLU while requantizing to the int8 codes of its output
/// (`requantizeToInt8`), max-pooling compares codes, residual adds, concatenations and global
/// average pooling rescale codes to their output's grid in integer arithmetic, and only the
/// last layer's accumulators are turned back into float logits.
///
/// BatchNorms that follow a conv2d or linear op are folded into it first (`foldingBatchNorms`).
/// Weights become int8 symmetric per-channel codes of the layer's weights as its format
/// rounds them (the `Quantizable` layer's `quantization`, else 8-bit per channel).
///
/// Every int8 tensor has one grid (scale and zero point): the input quantizer of a layer it
/// feeds, where that layer was prepared with 8-bit activations and calibrated or trained
/// (`prepareQuantization`), else the min-max range observed on `calibration` batches run
/// through the folded float graph with the weights the engine uses. A chain of max-pools,
/// reshapes and ReLUs after an op shares the grid at its end, so the op requantizes straight
/// to it, with the ReLU as the lower clamp. Asymmetric activation codes 0…255 are held as
/// int8 by subtracting 128 from codes and zero point alike, which leaves every product sum
/// unchanged.
public final class Int8InferenceModel {
    /// One step of the integer pipeline, reading and writing values of the graph.
    enum Step {
        /// `pooling`: a max-pool after it, applied to the sums before they are requantized.
        case conv(input: Int, output: Int, WeightLayer, Int8Convolution, pooling: Pool2dGeometry?)
        /// Weights [outputs, depth]: rows of `window` codes zero-padded to `int8PaddedDepth`.
        case linear(input: Int, output: Int, WeightLayer, Int8PackedWeights, window: Int)
        case maxPool(input: Int, output: Int, Pool2dGeometry)
        case add(left: Int, right: Int, output: Int, Rescale, Rescale)
        /// `spatial` codes per channel averaged into one.
        case globalAvgPool(input: Int, output: Int, spatial: Int, Rescale)
        /// Parts along axis 1, `planes[i]` = channels·spatial codes per image of part i.
        case concat(inputs: [Int], output: Int, planes: [Int], [Rescale])
        /// A ReLU that no op before it could absorb: codes below the zero point are raised to it.
        case clamp(input: Int, output: Int, lower: Int8)
        /// The same codes under another shape (reshape, flatten, a fused ReLU).
        case alias(input: Int, output: Int)
        /// The graph's output when no layer's float epilogue produced it.
        case dequantize(input: Int, Grid)
    }

    /// A quantized conv2d or linear op: the integer epilogue (its weights travel in the `Step`).
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

    /// The quantization of one int8 tensor: a scheme and its scale and zero point.
    struct Grid {
        let scheme: QuantizationScheme
        let parameters: AffineParameters
        /// Asymmetric codes 0…255 are held as int8 after subtracting 128.
        var shift: Int32 { scheme.mapping == .asymmetric ? 128 : 0 }
        /// The code of 0.0 as held in int8.
        var zeroPoint: Int32 { parameters.zeroPoint - shift }
        var bounds: (lower: Int8, upper: Int8) { (Int8(scheme.codeRange.lowerBound - shift), Int8(scheme.codeRange.upperBound - shift)) }
    }

    /// Codes of one grid as codes of another: out = z_out + round(multiplier·(code − z_in)), clamped.
    struct Rescale {
        let multiplier: Float
        let inputZeroPoint: Int32
        let outputZeroPoint: Int32
        let bounds: (lower: Int8, upper: Int8)

        init(from input: Grid, to output: Grid, divisor: Float = 1, fusedReLU: Bool) {
            multiplier = finiteMultiplier(input.parameters.scale / (output.parameters.scale * divisor))
            inputZeroPoint = input.zeroPoint
            outputZeroPoint = output.zeroPoint
            let bounds = output.bounds
            self.bounds = (fusedReLU ? Int8(max(output.zeroPoint, Int32(bounds.lower))) : bounds.lower, bounds.upper)
        }

        /// The output code for `sum` = Σ (code − z_in) over what is combined.
        @inline(__always)
        func code(_ sum: Float) -> Int8 { code(level: sum * multiplier) }

        /// The output code of a value already in output units.
        @inline(__always)
        func code(level: Float) -> Int8 {
            let shifted = level.rounded(.toNearestOrEven) + Float(outputZeroPoint)
            // Compared so that NaN (∞ − ∞ in an add of two extreme grids) takes the upper
            // bound instead of trapping in Int8(): no extra test on this path.
            return shifted < Float(bounds.upper) ? (shifted > Float(bounds.lower) ? Int8(shifted) : bounds.lower) : bounds.upper
        }
    }

    let steps: [Step]
    /// The values whose last reader is each step, freed after it.
    let releases: [[Int]]
    let inputShape: [Int]
    let inputValue: Int
    let inputGrid: Grid
    let outputValue: Int
    /// The graph output's shape for one image.
    let outputShape: [Int]
    /// Bytes a deployment stores: int8 weight codes, an F32 scale per output channel, F32
    /// biases, and a scale and zero point (4 + 4 bytes) per int8 tensor grid.
    public let storedBytes: Int
    /// What the pipeline was compiled from, for export: the plan (its folded graph), every
    /// int8 tensor's grid by group, and each weighted node's int8 weights and bias.
    let plan: Int8Plan
    let grids: [Int: Grid]
    let weightRecords: [Int: Int8WeightRecord]

    /// Builds the integer pipeline for inputs of `inputShape` (without the batch dimension)
    /// from a model whose every int8 tensor gets its grid from a calibrated or trained input
    /// quantizer (`prepareQuantization(…, activations: 8-bit scheme)`).
    public convenience init(_ model: Module, inputShape: [Int]) throws {
        try self.init(model, inputShape: inputShape, calibration: [Tensor]())
    }

    /// Builds the integer pipeline for inputs of `inputShape` (without the batch dimension);
    /// the grids no layer's input quantizer gives are observed on `calibration` batches (a
    /// few hundred images suffice).
    public convenience init<Batches: Sequence>(_ model: Module, inputShape: [Int], calibration: Batches) throws
    where Batches.Element == Tensor {
        try self.init(model, inputShape: inputShape, calibration: calibration, fusesPooling: true)
    }

    /// `fusesPooling: false` keeps every max-pool a step of its own: the reference the tests
    /// hold the fused pipeline to.
    init<Batches: Sequence>(_ model: Module, inputShape: [Int], calibration: Batches, fusesPooling: Bool) throws
    where Batches.Element == Tensor {
        let graph = try model.graph(inputShape: inputShape).foldingBatchNorms()
        let modules = Dictionary(model.namedModules.map { ($0.path, $0.module) }, uniquingKeysWith: { first, _ in first })
        let plan = try Int8Plan(graph, modules: modules)
        var grids = try plan.gridsFromQuantizers(modules)
        let unobserved = plan.groupEnds.filter { grids[$0.key] == nil && !plan.floatOutputGroups.contains($0.key) }
        if !unobserved.isEmpty {
            grids.merge(try plan.observeGrids(unobserved, calibration: calibration)) { given, _ in given }
        }
        self.inputShape = inputShape
        inputValue = graph.input
        outputValue = graph.output
        outputShape = Array(graph.values[graph.output].shape.dropFirst())
        guard let inputGrid = grids[plan.group[graph.input]] else {
            throw QuantizationError.missingGrid(tensor: "the model's input")
        }
        self.inputGrid = inputGrid
        let unfused: [Step]
        (unfused, storedBytes, weightRecords) = try withNoGrad { try plan.steps(grids: grids) }
        steps = fusesPooling ? Self.foldingPools(into: unfused) : unfused
        self.plan = plan
        self.grids = grids
        releases = Self.releases(of: steps)
    }

    /// For each step, the values no later step reads.
    private static func releases(of steps: [Step]) -> [[Int]] {
        var lastReader: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for value in step.reads { lastReader[value] = index } }
        var releases = [[Int]](repeating: [], count: steps.count)
        for (value, index) in lastReader { releases[index].append(value) }
        return releases
    }

    /// Logits for inputs [N, …inputShape]. `layerSeconds`, when given, receives the wall time
    /// of each step (for profiling).
    public func callAsFunction(_ images: Tensor, layerSeconds: ((String, Double) -> Void)? = nil) throws -> Tensor {
        guard images.rank == inputShape.count + 1, Array(images.shape.dropFirst()) == inputShape else {
            throw TensorError.unexpectedShape(op: "Int8InferenceModel", images.shape, expected: "inputs [N, \(inputShape.map(String.init).joined(separator: ", "))]")
        }
        let batch = images.shape[0]
        var clock = Date()
        func lap(_ name: String) {
            guard let layerSeconds else { return }
            let now = Date()
            layerSeconds(name, now.timeIntervalSince(clock))
            clock = now
        }
        // The rounding is .nearest (checked when the grid was made), which is what quantizeToInt8 does.
        let range = inputGrid.scheme.codeRange
        var codes: [Int: [Int8]] = [:]
        codes[inputValue] = [Int8](unsafeUninitializedCapacity: images.count) { out, initialized in
            images.scalars.withUnsafeBufferPointer {
                quantizeToInt8($0.baseAddress!, count: images.count, scale: inputGrid.parameters.scale, zeroPoint: inputGrid.parameters.zeroPoint,
                               lowerBound: range.lowerBound, upperBound: range.upperBound, shift: inputGrid.shift, output: out.baseAddress!)
            }
            initialized = images.count
        }
        lap("quantize input")
        var logits: [Float] = []
        for (index, step) in steps.enumerated() {
            defer { for value in releases[index] { codes[value] = nil } }
            switch step {
            case let .conv(input, output, layer, convolution, pooling):
                let result = convolve(codes[input]!, layer, convolution, pooling: pooling, batch: batch)
                if layer.isLast { logits = result.logits } else { codes[output] = result.codes }
                lap(layer.name)
            case let .linear(input, output, layer, weights, window):
                let result = fullyConnected(codes[input]!, layer, weights, window: window, batch: batch)
                if layer.isLast { logits = result.logits } else { codes[output] = result.codes }
                lap(layer.name)
            case let .maxPool(input, output, g):
                var pooled = g
                pooled.batch = batch
                let count = batch * g.channels * g.outHeight * g.outWidth
                let source = codes[input]!
                codes[output] = [Int8](unsafeUninitializedCapacity: count) { out, initialized in
                    source.withUnsafeBufferPointer { int8MaxPool2d(pooled, input: $0.baseAddress!, output: out.baseAddress!) }
                    initialized = count
                }
                lap("max-pool")
            case let .add(left, right, output, a, b):
                let (x, y) = (codes[left]!, codes[right]!)
                codes[output] = [Int8](unsafeUninitializedCapacity: x.count) { out, initialized in
                    // Both terms in output units, one rounding of their sum.
                    for i in 0..<x.count {
                        out[i] = a.code(level: a.multiplier * Float(Int32(x[i]) - a.inputZeroPoint)
                                               + b.multiplier * Float(Int32(y[i]) - b.inputZeroPoint))
                    }
                    initialized = x.count
                }
                lap("add")
            case let .globalAvgPool(input, output, spatial, rescale):
                let x = codes[input]!
                let planes = x.count / max(spatial, 1)
                codes[output] = [Int8](unsafeUninitializedCapacity: planes) { out, initialized in
                    for plane in 0..<planes {
                        var sum: Int32 = 0
                        for i in plane * spatial..<(plane + 1) * spatial { sum += Int32(x[i]) }
                        out[plane] = rescale.code(Float(sum - Int32(spatial) * rescale.inputZeroPoint))
                    }
                    initialized = planes
                }
                lap("global-avg-pool")
            case let .concat(inputs, output, planes, rescales):
                let perImage = planes.reduce(0, +)
                var joined = [Int8](repeating: 0, count: batch * perImage)
                var offset = 0
                for (part, (input, rescale)) in zip(inputs, rescales).enumerated() {
                    let x = codes[input]!, width = planes[part]
                    for image in 0..<batch {
                        for i in 0..<width {
                            joined[image * perImage + offset + i] = rescale.code(Float(Int32(x[image * width + i]) - rescale.inputZeroPoint))
                        }
                    }
                    offset += width
                }
                codes[output] = joined
                lap("concat")
            case let .clamp(input, output, lower):
                codes[output] = codes[input]!.map { max($0, lower) }
            case let .alias(input, output):
                codes[output] = codes[input]
            case let .dequantize(input, grid):
                logits = codes[input]!.map { Float(Int32($0) - grid.zeroPoint) * grid.parameters.scale }
            }
        }
        return Tensor(shape: [batch] + outputShape, scalars: logits)
    }

    private func convolve(_ input: [Int8], _ layer: WeightLayer, _ convolution: Int8Convolution, pooling: Pool2dGeometry?,
                          batch: Int) -> (codes: [Int8], logits: [Float]) {
        let g = convolution.geometry, positions = g.outHeight * g.outWidth
        let outputPositions = pooling?.outPlane ?? positions
        let perImage = g.outChannels * outputPositions, inPerImage = g.inChannels * g.inHeight * g.inWidth
        var codes = [Int8](repeating: 0, count: layer.isLast ? 0 : batch * perImage)
        var logits = [Float](repeating: 0, count: layer.isLast ? batch * perImage : 0)
        input.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { out in
                logits.withUnsafeMutableBufferPointer { floats in
                    let x = x.baseAddress!, out = out.baseAddress, floats = floats.baseAddress
                    Parallel.forRanges(batch) { images in
                        let scratch = UnsafeMutablePointer<Int8>.allocate(capacity: convolution.scratchCount)
                        let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: positions * g.outChannels)
                        let pooled = UnsafeMutablePointer<Int32>.allocate(capacity: pooling == nil ? 0 : outputPositions * g.outChannels)
                        defer { scratch.deallocate(); accumulators.deallocate(); pooled.deallocate() }
                        for image in images {
                            convolution.accumulate(image: x + image * inPerImage, scratch: scratch, accumulators: accumulators)
                            if let pooling { int32MaxPoolPositions(pooling, input: accumulators, output: pooled) }
                            // [positions, channels] accumulators → [channels, positions] (NCHW).
                            layer.epilogue(m: outputPositions, pooling == nil ? accumulators : pooled, codes: out.map { $0 + image * perImage },
                                           logits: floats.map { $0 + image * perImage }, rowStride: 1, columnStride: outputPositions)
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
        // Rows padded with zeros to the weights' depth (where the kernel wants padding).
        let depth = weights.depth
        precondition(input.count == batch * window && depth >= window, "Int8InferenceModel: \(input.count) codes for \(batch) rows of \(window)")
        var padded = input
        if depth > window {
            padded = [Int8](repeating: 0, count: batch * depth)
            padded.withUnsafeMutableBufferPointer { target in
                input.withUnsafeBufferPointer { source in
                    for row in 0..<batch { (target.baseAddress! + row * depth).update(from: source.baseAddress! + row * window, count: window) }
                }
            }
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

/// A requantization multiplier the kernels can compute with: scales that are each valid can
/// still divide to infinity (1e38 / 1e-45), and infinity times a zero sum is NaN, which the
/// conversion to int8 traps on. The largest finite Float saturates the codes just the same.
func finiteMultiplier(_ multiplier: Float) -> Float {
    multiplier.isNaN ? 0 : min(multiplier, .greatestFiniteMagnitude)
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

extension Int8InferenceModel.Step {
    /// The values this step reads.
    var reads: [Int] {
        switch self {
        case let .conv(input, _, _, _, _), let .linear(input, _, _, _, _), let .maxPool(input, _, _), let .globalAvgPool(input, _, _, _),
             let .clamp(input, _, _), let .alias(input, _), let .dequantize(input, _):
            return [input]
        case let .add(left, right, _, _, _): return [left, right]
        case let .concat(inputs, _, _, _): return inputs
        }
    }
}
