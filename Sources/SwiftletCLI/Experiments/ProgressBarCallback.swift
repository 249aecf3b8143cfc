import Swiftlet

/// Shows a `Trainer`'s epochs on a `ProgressBar`: one pass per epoch, advanced with each
/// batch's running loss and accuracy.
final class ProgressBarCallback: TrainerCallback {
    let bar: ProgressBar
    /// Ranks training together, each on batches like this one's: the bar counts the images of
    /// all, so its img/s is the whole job's.
    let ranks: Int
    private var isRunning = false

    init(_ bar: ProgressBar, ranks: Int = 1) {
        self.bar = bar
        self.ranks = ranks
    }

    func trainerWillStartEpoch(_ trainer: Trainer, epoch: Int) throws {
        bar.start(epoch: epoch)
        isRunning = true
    }

    func trainerDidFinishBatch(_ trainer: Trainer, progress: BatchProgress) {
        bar.advance(items: progress.batchImages * ranks, metrics: [.init("loss", progress.loss), .percent("acc", progress.accuracy)])
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
