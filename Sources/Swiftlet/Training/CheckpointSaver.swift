import Foundation
import SwiftletFiles

/// A `Trainer` callback that writes `Trainer.checkpointFiles(metadata:settings:)` every
/// `interval` epochs or optimizer steps, all files as one unit, so that `Trainer.restore(from:)`
/// continues the run from the last checkpoint.
public final class CheckpointSaver: TrainerCallback {
    /// How many epochs or steps between checkpoints.
    public let interval: Int
    /// What `interval` counts.
    public let clock: TrainingClock
    private let metadata: [String: String]
    private let settings: [String: String]
    private let write: ([String: [UInt8]]) throws -> Void
    private let folder: OutputFolder?

    /// Checkpoints every `interval` (≥ 1) epochs or steps, handed to `write` (name → bytes),
    /// which must write them together.
    public init(every interval: Int, _ clock: TrainingClock = .epoch, metadata: [String: String] = [:],
                settings: [String: String] = [:], write: @escaping ([String: [UInt8]]) throws -> Void) {
        self.interval = max(interval, 1)
        self.clock = clock
        self.metadata = metadata
        self.settings = settings
        self.write = write
        folder = nil
    }

    /// Checkpoints every `interval` epochs or steps into `folder`, which it creates and locks
    /// against other writers for its lifetime; each checkpoint replaces the last as one unit
    /// (all new files or all old ones, even if the process is killed while writing).
    public init(every interval: Int, _ clock: TrainingClock = .epoch, folder url: URL, metadata: [String: String] = [:],
                settings: [String: String] = [:]) throws {
        let folder = try OutputFolder(claiming: url)
        self.interval = max(interval, 1)
        self.clock = clock
        self.metadata = metadata
        self.settings = settings
        self.write = folder.commit
        self.folder = folder
    }

    deinit { folder?.release() }

    public func trainerDidStep(_ trainer: Trainer) throws {
        if clock == .step, trainer.state.steps % interval == 0 { try save(trainer) }
    }

    public func trainerDidFinishEpoch(_ trainer: Trainer, record: EpochRecord) throws {
        if clock == .epoch, record.epoch % interval == 0 { try save(trainer) }
    }

    private func save(_ trainer: Trainer) throws {
        try write(trainer.checkpointFiles(metadata: metadata, settings: settings))
    }
}
