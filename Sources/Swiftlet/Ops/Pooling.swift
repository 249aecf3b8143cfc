import SwiftletKernels

// 2-D max and average pooling. Max-pooling passes each output's gradient to the one input
// that won (remembered as an index during forward); average pooling spreads it evenly over
// the window it averaged.

// ANCHOR: max-pool
/// Max-pooling over `kernelSize` windows of `input` [N, C, H, W]; `stride` defaults to the
/// kernel size, padding counts as −∞.
public func maxPool2d(_ input: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) throws -> Tensor {
    let stride = stride ?? kernelSize
    let g = try poolGeometry("maxPool2d", input, kernelSize, stride, padding)
    let outShape = [g.batch, g.channels, g.outHeight, g.outWidth]
    // Only a recorded graph needs to know which pixel won.
    let recordsGradient = GradMode.isEnabled && input.requiresGrad
    var argmax = [Int32](repeating: 0, count: recordsGradient ? outShape.elementCount : 0)
    let values = [Float].filled(count: outShape.elementCount) { out in
        input.scalars.withUnsafeBufferPointer { x in
            argmax.withUnsafeMutableBufferPointer { maxIndex in
                maxPool2dForward(g, input: x.baseAddress!, output: out, argmax: recordsGradient ? maxIndex.baseAddress! : nil)
            }
        }
    }
    return Tensor.result(of: .maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding), shape: outShape, scalars: values, inputs: [input], savesInputs: false) { gradOutput in
        [Tensor(shape: input.shape, scalars: .filled(count: input.count) { gx in
            gradOutput.scalars.withUnsafeBufferPointer { gy in
                argmax.withUnsafeBufferPointer { maxIndex in
                    maxPool2dBackward(g, gradOutput: gy.baseAddress!, argmax: maxIndex.baseAddress!, gradInput: gx)
                }
            }
        })]
    }
}
// ANCHOR_END: max-pool

/// Average pooling over `kernelSize` windows of `input` [N, C, H, W]. With
/// `countIncludePad` (PyTorch's default) padded zeros count towards the average.
public func avgPool2d(
    _ input: Tensor, kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true
) throws -> Tensor {
    let stride = stride ?? kernelSize
    let g = try poolGeometry("avgPool2d", input, kernelSize, stride, padding)
    let outShape = [g.batch, g.channels, g.outHeight, g.outWidth]
    let values = [Float].filled(count: outShape.elementCount) { out in
        input.scalars.withUnsafeBufferPointer { x in
            avgPool2dForward(g, input: x.baseAddress!, output: out, countIncludePad: countIncludePad)
        }
    }
    return Tensor.result(of: .avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad), shape: outShape, scalars: values, inputs: [input], savesInputs: false) { gradOutput in
        [Tensor(shape: input.shape, scalars: .filled(count: input.count) { gx in
            gradOutput.scalars.withUnsafeBufferPointer { gy in
                avgPool2dBackward(g, gradOutput: gy.baseAddress!, gradInput: gx, countIncludePad: countIncludePad)
            }
        })]
    }
}

private func poolGeometry(_ op: String, _ input: Tensor, _ kernel: Size2D, _ stride: Size2D, _ padding: Size2D) throws -> Pool2dGeometry {
    guard input.rank == 4 else {
        throw TensorError.unexpectedShape(op: op, input.shape, expected: "input [N, C, H, W]")
    }
    let g = Pool2dGeometry(
        batch: input.shape[0], channels: input.shape[1], inHeight: input.shape[2], inWidth: input.shape[3],
        kernelHeight: kernel.height, kernelWidth: kernel.width, strideHeight: stride.height, strideWidth: stride.width,
        paddingHeight: padding.height, paddingWidth: padding.width)
    guard g.isValid else {
        throw TensorError.poolWindowDoesNotFit(op: op, input: input.shape, kernel: kernel, stride: stride, padding: padding)
    }
    return g
}
