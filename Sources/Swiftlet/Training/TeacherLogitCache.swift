/// The teacher's logits for every training image, computed during the first distillation
/// epoch and reused by the later ones, which then skip the teacher's forward pass.
///
/// Entries are keyed by the image's contents (a 128-bit hash of its scalars), so shuffled
/// batches still find them. This is only valid when every epoch sees the very same images:
/// with augmentation (random crops, flips) each epoch's images are new, and the teacher
/// must see them. A cache that has been filled (`markFilled()`, which `distillEpoch` calls
/// after the first epoch) therefore throws on an image it has never seen instead of
/// growing without bound.
public final class TeacherLogitCache {
    /// 128 bits of an image's contents: two independent 64-bit hashes of its scalars' bits.
    struct ImageKey: Hashable {
        let first: UInt64
        let second: UInt64
    }

    /// Thrown by a filled cache that meets an image it has not stored.
    public struct UnseenImageError: Error, CustomStringConvertible {
        /// Images the cache stored in its first epoch.
        public let cachedImages: Int
        public var description: String {
            "the teacher-logit cache (filled with \(cachedImages) images in the first epoch) met an image it has not seen: "
                + "the training images change between epochs (augmentation?) — distil without a logit cache"
        }
    }

    private var rows: [ImageKey: [Float]] = [:]
    /// Whether the first epoch is over: from then on every image must be found.
    public private(set) var isFilled = false

    /// An empty cache; the first distillation epoch fills it.
    public init() {}

    /// How many images' logits are stored.
    public var count: Int { rows.count }

    /// Declares the cache complete (after one full epoch over the training set).
    public func markFilled() { isFilled = true }

    /// The teacher's logits [N, classes] for `images` [N, …]: from the cache when every image
    /// is stored, otherwise from `teacher` on the whole batch (stored for next time).
    public func logits(for images: Tensor, teacher: (Tensor) throws -> Tensor) throws -> Tensor {
        let batch = images.shape.first ?? 0
        let keys = Self.keys(images)
        if let found = lookUp(keys) { return found }
        guard !isFilled else { throw UnseenImageError(cachedImages: rows.count) }
        let logits = try teacher(images)
        let classes = logits.count / max(batch, 1)
        for (row, key) in keys.enumerated() { rows[key] = Array(logits.scalars[(row * classes)..<((row + 1) * classes)]) }
        return logits
    }

    private func lookUp(_ keys: [ImageKey]) -> Tensor? {
        var scalars: [Float] = []
        for key in keys {
            guard let row = rows[key] else { return nil }
            scalars += row
        }
        return Tensor(shape: [keys.count, scalars.count / max(keys.count, 1)], scalars: scalars)
    }

    /// One key per image of the batch: FNV-1a and a multiply–xorshift mix over the bit patterns.
    static func keys(_ images: Tensor) -> [ImageKey] {
        let batch = images.shape.first ?? 0
        let size = images.count / max(batch, 1)
        return images.scalars.withUnsafeBufferPointer { values in
            (0..<batch).map { image in
                var first: UInt64 = 0xcbf2_9ce4_8422_2325, second: UInt64 = 0x9e37_79b9_7f4a_7c15
                for value in values[(image * size)..<((image + 1) * size)] {
                    let bits = UInt64(value.bitPattern)
                    first = (first ^ bits) &* 0x0000_0100_0000_01b3
                    second = (second &+ bits) &* 0xbf58_476d_1ce4_e5b9
                    second ^= second >> 31
                }
                return ImageKey(first: first, second: second)
            }
        }
    }
}

/// As a `Trainer` callback the cache marks itself filled after the first epoch, as
/// `distillEpoch` does.
extension TeacherLogitCache: TrainerCallback {
    public func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {
        markFilled()
    }
}
