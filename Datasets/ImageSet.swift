/// Labelled images, all the same size, stored as bytes in NCHW order.
public struct ImageSet: Sendable {
    /// Number of images.
    public let count: Int
    /// Channels per image.
    public let channels: Int
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int
    /// `count × channels × height × width` pixel values in 0...255.
    public let pixels: [UInt8]
    /// One label per image, each below `classNames.count`.
    public let labels: [UInt8]
    /// The class names, indexed by label (`"0"` … `"9"` for MNIST).
    public let classNames: [String]

    /// Bytes per image.
    public var imageSize: Int { channels * height * width }

    /// Checks that the sizes agree and every label names a class.
    /// - Parameters:
    ///   - channels: channels per image.
    ///   - height: rows per image.
    ///   - width: columns per image.
    ///   - pixels: the images, NCHW, `channels × height × width` bytes each.
    ///   - labels: one class index per image.
    ///   - classNames: the classes, indexed by label.
    ///   - file: where the labels came from, for the error message.
    public init(channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [UInt8],
                classNames: [String], file: String) throws {
        let imageSize = channels * height * width
        guard imageSize > 0, pixels.count == labels.count * imageSize else {
            throw DatasetError(.sizeMismatch, file: file, "\(labels.count) labels but \(pixels.count) pixel bytes, expected \(labels.count) × \(channels)×\(height)×\(width)")
        }
        if let bad = labels.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DatasetError(.labelOutOfRange, file: file, "label \(labels[bad]) of item \(bad) is out of range: there are \(classNames.count) classes (0...\(classNames.count - 1))")
        }
        self.init(channels: channels, height: height, width: width, pixels: pixels, labels: labels, classNames: classNames)
    }

    /// Sizes and labels already checked.
    private init(channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [UInt8], classNames: [String]) {
        count = labels.count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    /// Images `range` (in order), e.g. a validation split.
    public func images(_ range: Range<Int>) -> ImageSet {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "images \(range) of a set of \(count)")
        let pixelRange = range.lowerBound * imageSize ..< range.upperBound * imageSize
        return ImageSet(channels: channels, height: height, width: width, pixels: Array(pixels[pixelRange]),
                        labels: Array(labels[range]), classNames: classNames)
    }

    /// How many images carry each label.
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }
}

/// A dataset's training and test sets.
public struct ImageDataset: Sendable {
    /// `mnist`, `cifar10`, or the folder or archive it was read from.
    public let name: String
    /// The training set.
    public let train: ImageSet
    /// The test set, which training never sees.
    public let test: ImageSet

    /// A dataset called `name` made of `train` and `test`.
    public init(name: String, train: ImageSet, test: ImageSet) {
        self.name = name
        self.train = train
        self.test = test
    }

    /// The last `count` training images as the test set, training on the rest: a validation
    /// split, so a recipe can be chosen without looking at the test set. (Keras's
    /// `validation_split` also holds out the end of the training data.)
    /// - Throws: `DatasetError` if `count` does not leave at least one training image.
    public func holdingOut(validation count: Int) throws -> ImageDataset {
        guard count > 0, count < train.count else {
            throw DatasetError(.invalidValidationSplit, file: name, "cannot hold out \(count) validation images from \(train.count) training images: expected 1...\(train.count - 1)")
        }
        let split = train.count - count
        return ImageDataset(name: "\(name), validation split", train: train.images(0 ..< split), test: train.images(split ..< train.count))
    }
}
