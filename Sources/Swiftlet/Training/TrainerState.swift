import Foundation

/// Where a `Trainer` stands, beyond the weights and the optimizer (which have files of their
/// own): enough that a run restored from it takes exactly the steps the uninterrupted run would.
/// The batch order of epoch e is the caller's function of e; dropout draws from `GlobalRandom`,
/// whose state is here; masks and the learning rate are in the optimizer's file.
public struct TrainerState: Equatable, Sendable {
    /// Whole epochs finished.
    public var epochsCompleted = 0
    /// Batches of epoch `epochsCompleted + 1` already trained (a checkpoint taken every N steps).
    public var batchesIntoEpoch = 0
    /// Optimizer steps this trainer has taken, over all epochs.
    public var steps = 0
    /// The learning-rate schedule's position (`LearningRateSchedule.steps`).
    public var scheduleSteps = 0
    /// The calling thread's `GlobalRandom` state (four words) when the state was taken.
    public var randomState: [UInt64] = []
    /// Early stopping: the best validation accuracy so far.
    public var bestValidationAccuracy: Double?
    /// Early stopping: epochs since the best validation accuracy.
    public var epochsWithoutImprovement = 0
    /// The options that decide the run's result (free-form, by name), so that a resumed run
    /// can check it repeats them.
    public var settings: [String: String] = [:]

    /// A state at the very start of training.
    public init() {}

    /// Sorted keys, hexadecimal words and bit patterns, so equal states give equal bytes and
    /// every number comes back exactly.
    public func encoded() throws -> [UInt8] {
        var object: [String: Any] = [
            "epochs_completed": epochsCompleted, "batches_into_epoch": batchesIntoEpoch, "steps": steps,
            "schedule_steps": scheduleSteps, "random_state": randomState.map { String($0, radix: 16) },
            "epochs_without_improvement": epochsWithoutImprovement, "settings": settings,
        ]
        object["best_validation_accuracy"] = bestValidationAccuracy.map { String($0.bitPattern, radix: 16) }
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) + [10]
    }

    /// The state `encoded()` wrote; `file` names it in errors.
    public init(decoding bytes: [UInt8], file: String) throws {
        func fail(_ why: String) -> TrainerStateError { TrainerStateError(file: file, reason: why) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw fail("not a JSON object") }
        func count(_ key: String) throws -> Int {
            guard let value = object[key] as? Int, value >= 0 else { throw fail("\(key) must be a whole number ≥ 0") }
            return value
        }
        epochsCompleted = try count("epochs_completed")
        batchesIntoEpoch = try count("batches_into_epoch")
        steps = try count("steps")
        scheduleSteps = try count("schedule_steps")
        epochsWithoutImprovement = try count("epochs_without_improvement")
        let words = object["random_state"] as? [String] ?? []
        randomState = words.compactMap { UInt64($0, radix: 16) }
        guard randomState.count == 4, words.count == 4 else {
            throw fail("random_state must be four hexadecimal words")
        }
        if let best = object["best_validation_accuracy"] {
            guard let text = best as? String, let bits = UInt64(text, radix: 16) else {
                throw fail("best_validation_accuracy must be a hexadecimal bit pattern")
            }
            bestValidationAccuracy = Double(bitPattern: bits)
        }
        guard let settings = object["settings"] as? [String: String] else { throw fail("settings must be an object of strings") }
        self.settings = settings
    }
}

/// A training-state file that cannot be read back.
public struct TrainerStateError: Error, Equatable, CustomStringConvertible {
    /// The file read.
    public let file: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "\(file) is not a training state: \(reason)" }
}
