/// Training-time augmentation, as torchvision's `RandomCrop(size, padding:)` followed by
/// `RandomHorizontalFlip()`: the image is zero-padded by `randomCropPadding` pixels on
/// every side, a window of the original size is cut at a random offset, and the result is
/// mirrored left-right with probability ½. Padding counts as pixel value 0 before normalisation.
public struct Augmentation: Equatable, Sendable {
    /// Zero pixels added on every side before the random crop; 0 turns cropping off (CIFAR-10 recipes use 4).
    public var randomCropPadding: Int
    /// Whether to mirror each image left-right with probability ½.
    public var horizontalFlip: Bool

    /// Augmentation with the given crop padding and flip; the defaults change nothing.
    public init(randomCropPadding: Int = 0, horizontalFlip: Bool = false) {
        self.randomCropPadding = randomCropPadding
        self.horizontalFlip = horizontalFlip
    }

    /// The usual CIFAR-10 recipe: 4-pixel padding and random flips.
    public static let cifar10 = Augmentation(randomCropPadding: 4, horizontalFlip: true)
}
