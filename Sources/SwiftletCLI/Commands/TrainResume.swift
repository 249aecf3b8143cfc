import Foundation
import Swiftlet

/// What a `swiftlet train` run commits after every epoch: `Trainer.checkpointFiles` (the model,
/// the optimizer with its masks and learning rate, and `training-state.json` with the trainer's
/// state and the run's settings) as one `OutputFolder` unit, so `--resume` continues a run
/// killed at any moment from its last completed epoch and ends with the same bytes as a run
/// never interrupted.
extension TrainerState {
    /// Throws unless a run with `settings` (the options that decide the result, by flag name)
    /// for `epochs` epochs can continue from this state, saved in `folder`.
    func check(against settings: [String: String], epochs: Int, folder: URL) throws {
        for (option, value) in settings.sorted(by: { $0.key < $1.key }) where self.settings[option] != value {
            throw ResumeError.settingDiffers(option: option, given: value, saved: self.settings[option] ?? "nothing", folder: folder.path)
        }
        guard epochsCompleted <= epochs else {
            throw ResumeError.moreEpochsThanRequested(folder: folder.path, completed: epochsCompleted, requested: epochs)
        }
    }
}

/// Why `swiftlet train --resume DIR` cannot continue the run in DIR.
enum ResumeError: Error, Equatable, CustomStringConvertible {
    case settingDiffers(option: String, given: String, saved: String, folder: String)
    case moreEpochsThanRequested(folder: String, completed: Int, requested: Int)
    case conflictingOutput(out: String, resume: String)

    var description: String {
        switch self {
        case let .settingDiffers(option, given, saved, folder):
            return "--\(option) \(given) differs from the run being resumed in \(folder) (\(saved)); repeat the run's options"
        case let .moreEpochsThanRequested(folder, completed, requested):
            return "\(folder) already holds \(completed) trained epochs, more than --epochs \(requested)"
        case let .conflictingOutput(out, resume):
            return "--out \(out) and --resume \(resume) name different folders; a resumed run writes where it started"
        }
    }
}
