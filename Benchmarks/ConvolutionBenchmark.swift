import Swiftlet
import SwiftletKernels

/// Speed of the three convolution kernels of one layer of a built-in model: where a CNN's
/// training time goes, layer by layer and pass by pass.
public struct ConvolutionMeasurement {
    public let model: String
    public let layer: String
    public let geometry: Conv2dGeometry
    public let threads: Int
    /// Best time of one call, in seconds: forward, gradient of the input, gradient of the weight.
    public let forward: Double
    public let backwardInput: Double
    public let backwardWeight: Double

    /// Multiply-adds × 2 of one pass over the batch (each pass does the same work).
    public var flops: Double {
        2 * Double(geometry.batch * geometry.outChannels * geometry.patchSize * geometry.outPlane)
    }

    public var jsonLine: String {
        func gflops(_ seconds: Double) -> String { String(format: "%.1f", flops / seconds / 1e9) }
        return #"{"bench": "conv", "model": "\#(model)", "layer": "\#(layer)", "threads": \#(threads), "batch": \#(geometry.batch), "forward_gflops": \#(gflops(forward)), "input_grad_gflops": \#(gflops(backwardInput)), "weight_grad_gflops": \#(gflops(backwardWeight))}"#
    }
}

/// The distinct convolutions of a CIFAR-10 ResNet-20 (3 stages × 3 basic blocks, 16/32/64
/// channels, padded 3×3 convolutions, 1×1 stride-2 projections; the model of
/// `Sources/Examples/`), named with how many times each occurs in the network.
func resNet20Convolutions(batch: Int) -> [(layer: String, geometry: Conv2dGeometry)] {
    func conv(_ input: Int, _ output: Int, size: Int, kernel: Int = 3, stride: Int = 1) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: input, inHeight: size, inWidth: size, outChannels: output,
                       kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                       paddingHeight: kernel / 2, paddingWidth: kernel / 2)
    }
    return [
        ("conv1", conv(3, 16, size: 32)), ("stage1 ×6", conv(16, 16, size: 32)),
        ("stage2 down", conv(16, 32, size: 32, stride: 2)), ("stage2 1×1", conv(16, 32, size: 32, kernel: 1, stride: 2)),
        ("stage2 ×5", conv(32, 32, size: 16)),
        ("stage3 down", conv(32, 64, size: 16, stride: 2)), ("stage3 1×1", conv(32, 64, size: 16, kernel: 1, stride: 2)),
        ("stage3 ×5", conv(64, 64, size: 8)),
    ]
}

/// Times `conv2dForward`, `conv2dBackwardInput` and `conv2dBackwardWeight` for every
/// top-level Conv2d of the ModelZoo model `name` (or, for "resnet20", of a CIFAR ResNet-20),
/// at the shapes a batch of `batch` images gives it, on random data. Each figure is the best of as many calls as fit in `seconds`
/// (at least five, after two warm-ups): the kernels' speed without the noise of a busy machine.
public func measureConvolutions(_ name: String, threads: Int, batch: Int = 64, seconds: Double = 0.5) throws -> [ConvolutionMeasurement] {
    if name == "resnet20" {
        return Parallel.withThreads(threads) {
            resNet20Convolutions(batch: batch).map { measure($0.geometry, model: name, layer: $0.layer, threads: threads, seconds: seconds) }
        }
    }
    return try Parallel.withThreads(threads) {
        let (entry, model) = try seededModel(name)
        model.eval()
        var x = Tensor.normal([batch] + entry.inputShape)
        var measurements: [ConvolutionMeasurement] = []
        for (layer, module) in model.layers {
            if let conv = module as? Conv2d {
                let g = conv.geometry(batch: batch, imageShape: Array(x.shape.dropFirst()))
                measurements.append(measure(g, model: name, layer: layer, threads: threads, seconds: seconds))
            }
            x = try withNoGrad { try module(x) }
        }
        return measurements
    }
}

private func measure(_ g: Conv2dGeometry, model: String, layer: String, threads: Int, seconds: Double) -> ConvolutionMeasurement {
    let input = Tensor.normal([g.batch, g.inChannels, g.inHeight, g.inWidth]).scalars
    let weight = Tensor.normal([g.outChannels, g.inChannelsPerGroup, g.kernelHeight, g.kernelWidth]).scalars
    let gradOutput = Tensor.normal([g.batch, g.outChannels, g.outHeight, g.outWidth]).scalars
    var output = [Float](repeating: 0, count: gradOutput.count)
    var gradInput = [Float](repeating: 0, count: input.count)
    var gradWeight = [Float](repeating: 0, count: weight.count)
    let forward = callSeconds(budget: seconds) {
        conv2dForward(g, input: input, weight: weight, bias: nil, output: &output)
    }[0]
    let backwardInput = callSeconds(budget: seconds) {
        conv2dBackwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: &gradInput)
    }[0]
    let backwardWeight = callSeconds(budget: seconds) {
        conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &gradWeight, gradBias: nil)
    }[0]
    return ConvolutionMeasurement(model: model, layer: layer, geometry: g, threads: threads,
                                  forward: forward, backwardInput: backwardInput, backwardWeight: backwardWeight)
}
