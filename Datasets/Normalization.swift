/// Per-channel normalisation applied to `pixel / 255`: `(x - mean[c]) / std[c]`,
/// as torchvision's `ToTensor` followed by `Normalize(mean, std)`.
public struct Normalization: Equatable, Sendable {
    /// Per-channel mean subtracted from `pixel / 255`.
    public let mean: [Float]
    /// Per-channel standard deviation that the centred value is divided by.
    public let std: [Float]

    /// Normalisation by `mean` and `std`, one value per channel; BatchLoader checks they fit the images.
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Mean 0.5, std 0.5 in every channel: pixels map to [-1, 1] (what the documents use for MNIST).
    public static func centered(channels: Int) -> Normalization {
        Normalization(mean: Array(repeating: 0.5, count: channels), std: Array(repeating: 0.5, count: channels))
    }

    /// CIFAR-10's per-channel mean and standard deviation over the training images.
    public static let cifar10 = Normalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])

    /// Mean 0, std 1: pixels map to [0, 1].
    public static func unit(channels: Int) -> Normalization {
        Normalization(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels))
    }

    /// Per-channel `scale` and `shift` with `value = pixel * scale + shift`.
    func affine(channels: Int, file: String) throws -> (scale: [Float], shift: [Float]) {
        guard mean.count == channels, std.count == channels else {
            throw DatasetError(.invalidNormalization, file: file, "normalisation has \(mean.count) means and \(std.count) stds for \(channels)-channel images")
        }
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw DatasetError(.invalidNormalization, file: file, "normalisation needs finite means and positive stds, got mean \(mean), std \(std)")
        }
        return (std.map { 1 / (255 * $0) }, zip(mean, std).map { -$0 / $1 })
    }
}
