/// ReLU layer: max(x, 0).
public final class ReLU: Module {
    /// The layer; it has no settings or parameters.
    public override init() {}
    public override func forward(_ input: Tensor) throws -> Tensor { input.relu() }
}

/// Sigmoid layer: 1 / (1 + e^−x).
public final class Sigmoid: Module {
    /// The layer; it has no settings or parameters.
    public override init() {}
    public override func forward(_ input: Tensor) throws -> Tensor { input.sigmoid() }
}

/// Tanh layer.
public final class Tanh: Module {
    /// The layer; it has no settings or parameters.
    public override init() {}
    public override func forward(_ input: Tensor) throws -> Tensor { input.tanh() }
}

/// Flattens every dimension after the batch: [N, C, H, W] → [N, C·H·W].
public final class Flatten: Module {
    /// The layer; it has no settings or parameters.
    public override init() {}
    public override func forward(_ input: Tensor) throws -> Tensor { try input.flattened() }
}

/// Dropout layer: active in training mode only.
public final class Dropout: Module {
    /// The chance that each element is zeroed in training; survivors are scaled by 1/(1 − p).
    public let probability: Float

    /// Dropout with drop probability `probability`.
    public init(_ probability: Float = 0.5) {
        self.probability = probability
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try input.dropout(probability: probability, training: isTraining)
    }
}

/// Zero padding of the last two dimensions of [N, C, H, W] or [C, H, W] (`nn.ZeroPad2d`):
/// `left` and `right` columns, `top` and `bottom` rows. Unlike PyTorch's, negative amounts
/// (cropping) are refused.
public final class ZeroPad2d: Module {
    /// Columns added on the left and right, rows added on the top and bottom.
    public let left: Int, right: Int, top: Int, bottom: Int

    /// Pads by a different amount on each side; all four must be ≥ 0.
    public init(left: Int, right: Int, top: Int, bottom: Int) {
        (self.left, self.right, self.top, self.bottom) = (left, right, top, bottom)
    }

    /// The same amount on all four sides.
    public convenience init(_ padding: Int) {
        self.init(left: padding, right: padding, top: padding, bottom: padding)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 3 || input.rank == 4 else {
            throw TensorError.unexpectedShape(op: "ZeroPad2d", input.shape, expected: "input [N, C, H, W] or [C, H, W]")
        }
        for (side, amount) in [("left", left), ("right", right), ("top", top), ("bottom", bottom)] where amount < 0 {
            throw TensorError.negativePadding(op: "ZeroPad2d", side: side, amount: amount)
        }
        let leading = [(before: Int, after: Int)](repeating: (0, 0), count: input.rank - 2)
        return try input.padded(leading + [(top, bottom), (left, right)])
    }
}
