import SwiftletKernels

// Global average pooling: each (n, c) plane of H·W values becomes its mean,
// y[n, c] = Σ_hw x[n, c, h, w] / (H·W). Every input element contributes 1/(H·W) to its
// plane's mean, so backward spreads g[n, c] / (H·W) evenly over the plane.

/// The mean of every channel plane: [N, C, H, W] → [N, C, 1, 1], as PyTorch's
/// `nn.AdaptiveAvgPool2d(1)` and ONNX's GlobalAveragePool (the pooling before a ResNet's
/// classifier).
public func globalAvgPool2d(_ input: Tensor) throws -> Tensor {
    guard input.rank == 4 else {
        throw TensorError.unexpectedShape(op: "globalAvgPool2d", input.shape, expected: "input [N, C, H, W]")
    }
    let planes = input.shape[0] * input.shape[1], area = input.shape[2] * input.shape[3]
    guard area > 0 else {
        throw TensorError.tooFewValues(op: "globalAvgPool2d", shape: input.shape, needed: "non-empty H × W planes to average")
    }
    let scale = 1 / Float(area)
    let values = [Float].filled(count: planes) { y in
        input.scalars.withUnsafeBufferPointer { globalAvgPool2dForward(planes: planes, area: area, input: $0.baseAddress!, output: y) }
    }
    let inputShape = input.shape
    return Tensor.result(of: .globalAvgPool2d, shape: [input.shape[0], input.shape[1], 1, 1], scalars: values,
                         inputs: [input], savesInputs: false) { g in
        [Tensor(shape: inputShape, scalars: g.scalars.withUnsafeBufferPointer { gy in
            [Float].filled(count: planes * area) { gx in
                for p in 0..<planes {
                    let share = gy[p] * scale
                    for i in 0..<area { gx[p * area + i] = share }
                }
            }
        })]
    }
}
