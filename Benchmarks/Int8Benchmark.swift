import Foundation
import Swiftlet
import SwiftletKernels

/// Batch inference of one model through the fp32 path and through `Int8InferenceModel`,
/// measured back to back in the same run so the ratio is fair on a loaded machine.
public struct Int8Measurement {
    public let model: String
    public let threads: Int
    public let batch: Int
    public let fp32ImagesPerSecond: Double
    public let int8ImagesPerSecond: Double
    public var speedup: Double { int8ImagesPerSecond / fp32ImagesPerSecond }

    public var jsonLine: String {
        #"{"bench": "int8", "model": "\#(model)", "threads": \#(threads), "batch": \#(batch), "fp32_img_per_s": \#(Int(fp32ImagesPerSecond.rounded())), "int8_img_per_s": \#(Int(int8ImagesPerSecond.rounded())), "ratio": \#(String(format: "%.2f", speedup))}"#
    }
}

/// Times forward passes of `name` (random weights, normally distributed images) in fp32,
/// then quantizes it (`int8Engine`) and times the integer pipeline on the same images.
public func measureInt8Inference(_ name: String, threads: Int, batch: Int = 64, seconds: Double = 2) throws -> Int8Measurement {
    try Parallel.withThreads(threads) {
        let (entry, model) = try seededModel(name)
        model.eval()
        let images = Tensor.normal([batch] + entry.inputShape)
        let fp32 = try secondsPerRun(seconds) { _ = try withNoGrad { try model(images) } }
        let integer = try int8Engine(model, inputShape: entry.inputShape, batch: batch)
        let int8 = try secondsPerRun(seconds) { _ = try integer(images) }
        return Int8Measurement(model: name, threads: threads, batch: batch, fp32ImagesPerSecond: Double(batch) / fp32,
                               int8ImagesPerSecond: Double(batch) / int8)
    }
}

/// `model` quantized to int8 weights and activations, calibrated on four batches of `batch`
/// normally distributed images, as the integer pipeline the benchmarks time (the model is
/// prepared for quantization in place).
func int8Engine(_ model: Module, inputShape: [Int], batch: Int) throws -> Int8InferenceModel {
    try prepareQuantization(model, weights: .affine(.int8Weights), activations: .int8Activations)
    try calibrateQuantization(model, batches: (0..<4).map { _ in Tensor.normal([batch] + inputShape) })
    return try Int8InferenceModel(model, inputShape: inputShape)
}
