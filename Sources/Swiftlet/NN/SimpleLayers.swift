/// ReLU layer: max(x, 0).
public final class ReLU: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) throws -> Tensor { input.relu() }
}

/// Sigmoid layer: 1 / (1 + e^−x).
public final class Sigmoid: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) throws -> Tensor { input.sigmoid() }
}

/// Tanh layer.
public final class Tanh: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) throws -> Tensor { input.tanh() }
}

/// Flattens every dimension after the batch: [N, C, H, W] → [N, C·H·W].
public final class Flatten: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) throws -> Tensor { try input.flattened() }
}

/// Dropout layer: active in training mode only.
public final class Dropout: Module {
    public let probability: Float

    public init(_ probability: Float = 0.5) {
        self.probability = probability
    }

    public override func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.dropout(probability: probability, training: isTraining)
    }
}
