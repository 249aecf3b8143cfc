import Swiftlet

/// Shows a `Trainer`'s epochs on a `ProgressBar`: one pass per epoch, advanced with each
/// batch's running loss and accuracy.
final class ProgressBarCallback: TrainerCallback {
    let bar: ProgressBar
    private var isRunning = false

    init(_ bar: ProgressBar) {
        self.bar = bar
    }

    func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws {
        bar.start(epoch: epoch)
        isRunning = true
    }

    func trainerDidFinishBatch(_ trainer: Trainer, progress: BatchProgress) {
        bar.advance(items: progress.batchImages, metrics: [.init("loss", progress.loss), .percent("acc", progress.accuracy)])
    }

    func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {
        finishIfRunning(metrics: record.validation.map { [.percent("val", $0.accuracy)] } ?? [])
    }

    /// Ends the current epoch's line, if one is drawn: after the epoch, or when training throws.
    func finishIfRunning(metrics: [ProgressBar.Metric] = []) {
        guard isRunning else { return }
        bar.finish(metrics: metrics)
        isRunning = false
    }
}
