import SwiftletKernels

// 2-D convolution. The output is a sum of products of inputs and weights, so its gradient
// with respect to the input is a convolution of the output gradient with the (flipped)
// weights, and with respect to the weights a correlation of the input with the output
// gradient; the bias gradient sums the output gradient over batch and space. The kernels
// in SwiftletKernels compute all three.

/// Applies a 2-D convolution to `input` [N, C_in, H, W] with `weight`
/// [C_out, C_in/groups, kH, kW] and an optional `bias` [C_out], with PyTorch's semantics.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1, groups: Int = 1
) throws -> Tensor {
    try conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
               applyingReLU: false, maxPooling: nil)
}

/// A max pooling's window, step and padding.
typealias MaxPoolingWindow = (kernelSize: Size2D, stride: Size2D, padding: Size2D)

/// `conv2d`, followed in the same pass by adding `residual` (a tensor of the output's shape)
/// when given, by `maxPool2d` with `maxPooling` when given and by ReLU when `applyingReLU`.
/// Any of them makes the result a plain tensor, recorded neither for autograd nor in a traced
/// graph, so they are only for inference that records nothing (`InferenceFusion`,
/// `InferencePlan`). A pooling that does not fit the convolution's output throws as
/// `maxPool2d` would, a residual of another shape as `+` would.
///
/// `preparedWeights(g)` gives the weights in the form the kernel multiplies with for the
/// call's geometry, made from `weight` (`Conv2dForwardWeights`), or nil to prepare them per call.
func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor?, stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int,
    residual: Tensor? = nil, applyingReLU: Bool, maxPooling: MaxPoolingWindow?,
    preparedWeights: (Conv2dGeometry) -> Conv2dForwardWeights? = { _ in nil }
) throws -> Tensor {
    guard input.rank == 4, weight.rank == 4 else {
        throw TensorError.shapeMismatch(op: "conv2d", input.shape, weight.shape, "expected input [N, C, H, W] and weight [C_out, C_in/groups, kH, kW]")
    }
    guard groups > 0, input.shape[1] == weight.shape[1] * groups, weight.shape[0] % groups == 0 else {
        throw TensorError.shapeMismatch(op: "conv2d", input.shape, weight.shape,
                                        "input has \(input.shape[1]) channels; the weight expects \(weight.shape[1]) per group × \(groups) groups")
    }
    if let bias, bias.shape != [weight.shape[0]] {
        throw TensorError.shapeMismatch(op: "conv2d", weight.shape, bias.shape, "bias must have shape [\(weight.shape[0])]")
    }
    let g = Conv2dGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
    guard g.isValid else {
        throw TensorError.convolutionHasNoOutput(input: input.shape, kernel: Size2D(weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
    }
    let outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth]
    if let residual, residual.shape != outShape {
        throw TensorError.shapeMismatch(op: "add", outShape, residual.shape, "the residual must have the convolution's output shape")
    }
    let prepared = preparedWeights(g)
    func convolve(into out: UnsafeMutablePointer<Float>, pooling: Pool2dGeometry?) {
        withPointers(input.scalars, weight.scalars, bias?.scalars) { x, w, b in
            guard let residual else {
                return conv2dForward(g, input: x, weight: w, bias: b, output: out, applyingReLU: applyingReLU, pooling: pooling,
                                     preparedWeights: prepared)
            }
            residual.scalars.withUnsafeBufferPointer { r in
                conv2dForward(g, input: x, weight: w, bias: b, output: out, residual: r.baseAddress, applyingReLU: applyingReLU,
                              pooling: pooling, preparedWeights: prepared)
            }
        }
    }
    if let maxPooling {
        let pooling = Pool2dGeometry(
            batch: g.batch, channels: g.outChannels, inHeight: g.outHeight, inWidth: g.outWidth,
            kernelHeight: maxPooling.kernelSize.height, kernelWidth: maxPooling.kernelSize.width,
            strideHeight: maxPooling.stride.height, strideWidth: maxPooling.stride.width,
            paddingHeight: maxPooling.padding.height, paddingWidth: maxPooling.padding.width)
        guard pooling.isValid else {
            throw TensorError.poolWindowDoesNotFit(
                op: "maxPool2d", input: outShape, kernel: maxPooling.kernelSize,
                stride: maxPooling.stride, padding: maxPooling.padding)
        }
        let pooledShape = [g.batch, g.outChannels, pooling.outHeight, pooling.outWidth]
        return Tensor(shape: pooledShape, scalars: .filled(count: pooledShape.elementCount) { out in
            convolve(into: out, pooling: pooling)
        })
    }
    let values = [Float].filled(count: outShape.elementCount) { out in convolve(into: out, pooling: nil) }
    if applyingReLU || residual != nil { return Tensor(shape: outShape, scalars: values) }
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    // ANCHOR: conv-backward
    return Tensor.result(of: .conv2d(stride: stride, padding: padding, dilation: dilation, groups: groups), shape: outShape, scalars: values, inputs: inputs) { gradOutput in
        var gradInput: Tensor?, gradWeight: Tensor?, gradBias: Tensor?
        if input.requiresGrad {
            gradInput = Tensor(shape: input.shape, scalars: .filled(count: input.count) { gx in
                withPointers(gradOutput.scalars, weight.scalars, nil) { gy, w, _ in
                    conv2dBackwardInput(g, gradOutput: gy, weight: w, gradInput: gx)
                }
            })
        }
        if weight.requiresGrad || bias?.requiresGrad == true {
            var biasValues = [Float](repeating: 0, count: g.outChannels)
            let weightValues = [Float].filled(count: weight.count) { gw in
                withPointers(input.scalars, gradOutput.scalars, nil) { x, gy, _ in
                    biasValues.withUnsafeMutableBufferPointer { gb in
                        conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: gw, gradBias: bias == nil ? nil : gb.baseAddress)
                    }
                }
            }
            gradWeight = Tensor(shape: weight.shape, scalars: weightValues)
            if let bias { gradBias = Tensor(shape: bias.shape, scalars: biasValues) }
        }
        return Array([gradInput, gradWeight, gradBias].prefix(inputs.count))
    }
    // ANCHOR_END: conv-backward
}

extension Conv2dGeometry {
    /// The kernels' description of a convolution of an input [N, C, H, W] by a weight
    /// [C_out, C_in/groups, kH, kW] (not validated: check `isValid`).
    init(input: [Int], weight: [Int], stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int) {
        self.init(batch: input[0], inChannels: input[1], inHeight: input[2], inWidth: input[3], outChannels: weight[0],
                  kernelHeight: weight[2], kernelWidth: weight[3], strideHeight: stride.height, strideWidth: stride.width,
                  paddingHeight: padding.height, paddingWidth: padding.width,
                  dilationHeight: dilation.height, dilationWidth: dilation.width, groups: groups)
    }
}

/// Base addresses of up to three arrays, for kernel calls.
@inline(__always)
func withPointers<R>(
    _ a: [Float], _ b: [Float], _ c: [Float]?,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?) -> R
) -> R {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            guard let c else { return body(pa.baseAddress!, pb.baseAddress!, nil) }
            return c.withUnsafeBufferPointer { pc in body(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!) }
        }
    }
}
