import Foundation
import Swiftlet
import SwiftletKernels

/// Forward-pass time of several models on the same input, measured interleaved: every
/// round times each model once, and each model keeps its best round. Interleaving puts all
/// of them under the same machine load, so their ratios hold on a busy machine.
///
/// - Parameters:
///   - inputShape: [channels, height, width] of one image.
///   - batch: images per forward pass.
///   - rounds: how many times each model is timed.
///   - secondsPerRound: time spent on one model in one round (repeated forwards, averaged).
/// - Returns: the best mean seconds per image of each model, in the order given.
public func compareInferenceTimes(_ models: [Module], inputShape: [Int], batch: Int = 64, rounds: Int = 5,
                                  secondsPerRound: Double = 0.5) throws -> [Double] {
    for (setting, value) in [("batch", batch), ("rounds", rounds)] where value < 1 {
        throw TensorError.settingOutOfRange(op: "compareInferenceTimes", setting: setting, value: Double(value), accepted: "at least 1")
    }
    // Its own generator: measuring must not move the global one an experiment draws from.
    var generator = SeededRandom(seed: 0)
    let input = Tensor.normal([batch] + inputShape, generator: &generator)
    for model in models { model.eval() }
    var best = [Double](repeating: .infinity, count: models.count)
    for _ in 0..<rounds {
        for (index, model) in models.enumerated() {
            let seconds = try secondsPerRun(secondsPerRound) { _ = try withNoGrad { try model(input) } }
            best[index] = min(best[index], seconds / Double(batch))
        }
    }
    return best
}
