/// A (height, width) pair for kernel sizes, strides, padding and dilation.
/// An integer literal means the same value for both, as in PyTorch: `stride: 2`.
public struct Size2D: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The vertical amount (rows).
    public var height: Int
    /// The horizontal amount (columns).
    public var width: Int

    /// A pair with different height and width; an integer literal gives both the same value.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(integerLiteral value: Int) {
        self.init(value, value)
    }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}
