/// A mini-batch ready for training: normalised float images and their labels.
public struct Batch: Sendable {
    /// `count × channels × height × width` values, NCHW.
    public let images: [Float]
    public let labels: [Int32]
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int

    /// `[count, channels, height, width]`.
    public var shape: [Int] { [count, channels, height, width] }
}
