import SwiftletKernels

// ANCHOR: training
/// micrograd's loss for ±1 labels: the mean over the batch of max(0, 1 − label·score), so
/// a point costs nothing once its score is on the right side by a margin of 1.
public func hingeLoss(scores: [Value], labels: [Double]) -> Value {
    let total = zip(scores, labels).reduce(Value(0)) { sum, pair in sum + (1 - pair.0 * Value(pair.1)).relu() }
    return total * Value(1 / Double(scores.count))
}

/// Trains `mlp` (one output: the score) on `data` by stochastic gradient descent: each step
/// draws `batchSize` points, adds `weightDecay`·Σ w² to `loss` (e.g. `hingeLoss`),
/// backpropagates and moves every parameter against its gradient, with a learning rate
/// falling from 1 to 0.1.
public func train(
    _ mlp: MLP, on data: TwoMoons, steps: Int = 60, batchSize: Int = 32, weightDecay: Double = 1e-4, seed: UInt64 = 0,
    loss: ([Value], [Double]) throws -> Value
) rethrows {
    var generator = SeededRandom(seed: seed)
    let parameters = mlp.parameters
    for step in 0..<steps {
        let batch = data.points.indices.shuffled(using: &generator).prefix(batchSize)
        let scores = batch.map { mlp(data.points[$0].map { Value($0) })[0] }
        let penalty = parameters.reduce(Value(0)) { $0 + $1 * $1 } * Value(weightDecay)
        let total = try loss(scores, batch.map { data.labels[$0] }) + penalty

        for parameter in parameters { parameter.grad = 0 }
        total.backward()
        let learningRate = 1 - 0.9 * Double(step) / Double(steps)
        for parameter in parameters { parameter.data -= learningRate * parameter.grad }
    }
}

/// The fraction of `data`'s points whose score has the sign of their label.
public func accuracy(_ mlp: MLP, on data: TwoMoons) -> Double {
    let correct = zip(data.points, data.labels).filter { point, label in
        (mlp(point.map { Value($0) })[0].data > 0) == (label > 0)
    }
    return Double(correct.count) / Double(data.points.count)
}
// ANCHOR_END: training
