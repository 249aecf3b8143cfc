import SwiftletKernels

// ANCHOR: mlp
/// One neuron: relu(w·x + b), or just w·x + b in an output layer.
public final class Neuron {
    public let weights: [Value]
    public let bias: Value
    public let isLinear: Bool

    init(inputs: Int, isLinear: Bool, generator: inout SeededRandom) {
        weights = (0..<inputs).map { _ in Value(Double(generator.nextUniform(-1, 1))) }
        bias = Value(0)
        self.isLinear = isLinear
    }

    public func callAsFunction(_ x: [Value]) -> Value {
        let sum = zip(weights, x).reduce(bias) { $0 + $1.0 * $1.1 }
        return isLinear ? sum : sum.relu()
    }

    public var parameters: [Value] { weights + [bias] }
}

/// A fully connected layer: neurons that all see the same inputs.
public final class Layer {
    public let neurons: [Neuron]

    init(inputs: Int, outputs: Int, isLinear: Bool, generator: inout SeededRandom) {
        neurons = (0..<outputs).map { _ in Neuron(inputs: inputs, isLinear: isLinear, generator: &generator) }
    }

    public func callAsFunction(_ x: [Value]) -> [Value] { neurons.map { $0(x) } }

    public var parameters: [Value] { neurons.flatMap(\.parameters) }
}

/// A multilayer perceptron: `MLP(inputs: 2, layerSizes: [16, 16, 1], seed: 0)` maps a point
/// of the plane through two ReLU layers of 16 neurons to one linear score.
public final class MLP {
    public let layers: [Layer]

    /// Weights uniform in [−1, 1) from `seed`, biases 0.
    public init(inputs: Int, layerSizes: [Int], seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let sizes = [inputs] + layerSizes
        layers = layerSizes.indices.map { i in
            Layer(inputs: sizes[i], outputs: sizes[i + 1], isLinear: i == layerSizes.count - 1, generator: &generator)
        }
    }

    public func callAsFunction(_ x: [Value]) -> [Value] { layers.reduce(x) { $1($0) } }

    public var parameters: [Value] { layers.flatMap(\.parameters) }
}
// ANCHOR_END: mlp
