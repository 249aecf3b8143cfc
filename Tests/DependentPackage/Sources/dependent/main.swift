// A user's program against Swiftlet's public API only: a dataset built in memory, batches from
// `Datasets`, a model of its own trained with `Trainer`, pruned, and its checkpoint read back.
import Datasets
import Foundation
import Swiftlet

/// 8×8 one-channel images whose class (0 or 1) is which half holds a bright bar.
func bars(count: Int) throws -> ImageSet {
    var pixels: [UInt8] = [], labels: [UInt8] = []
    for index in 0..<count {
        let label = index % 2
        for row in 0..<8 {
            for column in 0..<8 { pixels.append((column < 4) == (label == 0) && row % 3 == index % 3 ? 255 : 0) }
        }
        labels.append(UInt8(label))
    }
    return try ImageSet(channels: 1, height: 8, width: 8, pixels: pixels, labels: labels, classNames: ["left", "right"], file: "bars")
}

GlobalRandom.seed(0)
let training = try BatchLoader(try bars(count: 96), batchSize: 16, seed: 0, normalization: .centered(channels: 1))
let test = try BatchLoader(try bars(count: 32), batchSize: 32, shuffle: false, normalization: .centered(channels: 1))
let model = Sequential { Flatten(); ("fc1", Linear(64, 16)); ReLU(); ("fc2", Linear(16, 2)) }
let trainer = Trainer(model, optimizer: SGD(model.parameters, lr: 0.1, momentum: 0.9))
trainer.schedule = LearningRateSchedule(trainer.optimizer, .cosine(tMax: 5, minimum: 0))
try trainer.fit(epochs: 5, batchCount: training.batchCount, batches: training.labeledBatches(epoch:))
try pruneByMagnitude(model, .meanAbsolute).apply(to: trainer.optimizer)

let file = FileManager.default.temporaryDirectory.appendingPathComponent("dependent-\(ProcessInfo.processInfo.processIdentifier).safetensors")
defer { try? FileManager.default.removeItem(at: file) }
try model.save(to: file)
let reloaded = Sequential { Flatten(); ("fc1", Linear(64, 16)); ReLU(); ("fc2", Linear(16, 2)) }
try reloaded.load(from: file)
print("dependent: test accuracy \(try evaluate(reloaded, batches: test.labeledBatches()).accuracy)")
