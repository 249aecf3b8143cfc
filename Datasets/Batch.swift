/// A mini-batch ready for training: normalised float images and their labels.
public struct Batch: Sendable {
    /// `count × channels × height × width` values, NCHW.
    public let images: [Float]
    /// One class index per image.
    public let labels: [Int32]
    /// Images in the batch; the last batch of an epoch may be smaller.
    public let count: Int
    /// Channels per image (1 for MNIST, 3 for CIFAR-10).
    public let channels: Int
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int

    /// `[count, channels, height, width]`.
    public var shape: [Int] { [count, channels, height, width] }
}
