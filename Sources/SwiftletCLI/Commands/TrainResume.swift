import Foundation
import Swiftlet
import SwiftletFiles
import SwiftletKernels

/// Where a `swiftlet train` run stands, committed after every epoch together with the model
/// and optimizer it describes (one `OutputFolder` commit: `model.safetensors`,
/// `optimizer.safetensors`, `training-state.json`), so `--resume` continues a run killed at
/// any moment from its last completed epoch and ends with the same bytes as a run never
/// interrupted. Everything else a step depends on is a function of these: the shuffle and
/// augmentation of epoch e come from (seed, e), the learning rate is in the optimizer's file
/// (train has no schedule), masks are in the optimizer's file too.
struct TrainingState: Equatable {
    static let fileName = "training-state.json"
    static let modelFile = "model.safetensors", optimizerFile = "optimizer.safetensors"

    /// The options that decide the result, by flag name; a resumed run must repeat them.
    var settings: [String: String]
    var epochsCompleted: Int
    /// `GlobalRandom`'s state after the last completed epoch: dropout masks draw from it.
    var randomState: [UInt64]

    /// Commits `model` (its checkpoint with `metadata`), `optimizer` and this state to `folder` as one unit.
    func commit(model: Module, metadata: [String: String], optimizer: Optimizer, to folder: OutputFolder) throws {
        try folder.commit([Self.modelFile: try model.stateFile(metadata: metadata).encoded(),
                           Self.optimizerFile: try optimizer.stateFile.encoded(),
                           Self.fileName: try encoded()])
    }

    /// Restores `model`, `optimizer` and `GlobalRandom` from the unit last committed to
    /// `folder`, and returns its state; nil when the folder holds no training state yet.
    static func restore(model: Module, optimizer: Optimizer, from folder: URL) throws -> TrainingState? {
        let stateFile = folder.appendingPathComponent(fileName)
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: stateFile.path)
        } catch let error as FileSystemError where error.isMissing {
            return nil
        }
        let state = try TrainingState(decoding: bytes, file: stateFile.path)
        try model.load(from: folder.appendingPathComponent(modelFile))
        try optimizer.loadState(from: folder.appendingPathComponent(optimizerFile))
        guard let random = SeededRandom(stateWords: state.randomState) else {
            throw ResumeError.malformed(file: stateFile.path, "random_state must be four words, not all zero")
        }
        GlobalRandom.generator = random
        return state
    }

    /// Throws unless this run can continue under `settings` for `epochs` epochs.
    func check(against settings: [String: String], epochs: Int, folder: URL) throws {
        for (option, value) in settings.sorted(by: { $0.key < $1.key }) where self.settings[option] != value {
            throw ResumeError.settingDiffers(option: option, given: value, saved: self.settings[option] ?? "nothing", folder: folder.path)
        }
        guard epochsCompleted <= epochs else {
            throw ResumeError.moreEpochsThanRequested(folder: folder.path, completed: epochsCompleted, requested: epochs)
        }
    }

    // MARK: JSON

    /// Sorted keys and hex words, so equal states give equal bytes.
    func encoded() throws -> [UInt8] {
        let object: [String: Any] = ["settings": settings, "epochs_completed": epochsCompleted,
                                     "random_state": randomState.map { String($0, radix: 16) }]
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) + [10]
    }

    init(settings: [String: String], epochsCompleted: Int, randomState: [UInt64]) {
        self.settings = settings
        self.epochsCompleted = epochsCompleted
        self.randomState = randomState
    }

    init(decoding bytes: [UInt8], file: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ResumeError.malformed(file: file, "not a JSON object")
        }
        guard let settings = object["settings"] as? [String: String] else {
            throw ResumeError.malformed(file: file, "settings must be an object of strings")
        }
        guard let epochs = object["epochs_completed"] as? Int, epochs >= 0 else {
            throw ResumeError.malformed(file: file, "epochs_completed must be a whole number ≥ 0")
        }
        let words = object["random_state"] as? [String] ?? []
        let random = words.compactMap { UInt64($0, radix: 16) }
        guard !words.isEmpty, random.count == words.count else {
            throw ResumeError.malformed(file: file, "random_state must be a list of hexadecimal words")
        }
        self.init(settings: settings, epochsCompleted: epochs, randomState: random)
    }
}

/// Why `swiftlet train --resume DIR` cannot continue the run in DIR.
enum ResumeError: Error, Equatable, CustomStringConvertible {
    case malformed(file: String, String)
    case settingDiffers(option: String, given: String, saved: String, folder: String)
    case moreEpochsThanRequested(folder: String, completed: Int, requested: Int)
    case conflictingOutput(out: String, resume: String)

    var description: String {
        switch self {
        case let .malformed(file, why):
            return "\(file) is not a training state: \(why)"
        case let .settingDiffers(option, given, saved, folder):
            return "--\(option) \(given) differs from the run being resumed in \(folder) (\(saved)); repeat the run's options"
        case let .moreEpochsThanRequested(folder, completed, requested):
            return "\(folder) already holds \(completed) trained epochs, more than --epochs \(requested)"
        case let .conflictingOutput(out, resume):
            return "--out \(out) and --resume \(resume) name different folders; a resumed run writes where it started"
        }
    }
}
