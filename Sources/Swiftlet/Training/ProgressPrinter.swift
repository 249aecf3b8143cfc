import Foundation

/// A `Trainer` callback that reports each finished epoch in one line, e.g.
/// `epoch 2: loss 0.1021, accuracy 96.88 %, validation accuracy 97.40 %, lr 0.01, 5210 img/s`.
public struct ProgressPrinter: TrainerCallback {
    private let write: @Sendable (String) -> Void

    /// Reports through `write` (by default `print`, to standard output).
    public init(write: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.write = write
    }

    public func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {
        var line = String(format: "epoch %d: loss %.4f, accuracy %.2f %%", record.epoch, record.training.loss, record.training.accuracy)
        if let validation = record.validation { line += String(format: ", validation accuracy %.2f %%", validation.accuracy) }
        line += ", lr \(record.learningRate)" + String(format: ", %.0f img/s", record.training.imagesPerSecond)
        write(line)
    }
}
