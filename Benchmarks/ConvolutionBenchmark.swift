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

/// Times `conv2dForward`, `conv2dBackwardInput` and `conv2dBackwardWeight` for every
/// convolution of the model `entry` (from its traced graph), at the shapes a batch of
/// `batch` images gives it, on random data. Each figure is the best of as many calls as fit in `seconds`
/// (at least five, after two warm-ups): the kernels' speed without the noise of a busy machine.
public func measureConvolutions(_ entry: ModelZoo.Entry, threads: Int, batch: Int = 64, seconds: Double = 0.5) throws -> [ConvolutionMeasurement] {
    try Parallel.withThreads(threads) {
        let graph = try seededModel(entry).graph(inputShape: entry.inputShape, batch: batch)
        return graph.nodes.indices.compactMap { index in
            graph.convolutionGeometry(ofNode: index).map { measure($0, model: entry.name, layer: graph.nodes[index].path, threads: threads, seconds: seconds) }
        }
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
