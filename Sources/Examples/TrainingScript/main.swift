// The README's training script, compiled and run as `swift run -c release training-script`:
// the MNIST net trained with `Trainer` (one epoch unless given EPOCHS; with FOLDER, a checkpoint
// there after every epoch), magnitude pruning with the masks held, test accuracy.
// ANCHOR: script
import Datasets
import Foundation
import Swiftlet

let arguments = CommandLine.arguments.dropFirst()    // training-script [EPOCHS [FOLDER]]
GlobalRandom.seed(0)
let mnist = try loadDataset("mnist")                 // Datasets/MNIST ships with the package
let training = try BatchLoader(mnist.train, batchSize: 64, seed: 0, normalization: .centered(channels: 1))
let test = try BatchLoader(mnist.test, batchSize: 1000, shuffle: false, normalization: .centered(channels: 1))

let model = Sequential {
    ("conv1", Conv2d(1, 10, kernelSize: 5)); MaxPool2d(2); ReLU()
    ("conv2", Conv2d(10, 20, kernelSize: 5)); MaxPool2d(2); ReLU()
    Flatten(); ("fc1", Linear(320, 50)); ReLU(); ("fc2", Linear(50, 10))
}
let trainer = Trainer(model, optimizer: SGD(model.parameters, lr: 0.01, momentum: 0.9))
trainer.callbacks = [ProgressPrinter()]              // "epoch 1: loss 0.2183, accuracy 93.27 %, …"
if let folder = arguments.dropFirst().first {        // model, optimizer and state, resumable with restore(from:)
    trainer.callbacks.append(try CheckpointSaver(every: 1, folder: URL(fileURLWithPath: folder)))
}
// Epoch e's batches (LabeledBatch: images [64, 1, 28, 28], labels) are shuffled from (seed, e).
try trainer.fit(epochs: arguments.first.flatMap { Int($0) } ?? 1, batchCount: training.batchCount,
                batches: training.labeledBatches(epoch:))

let masks = try pruneByMagnitude(model, .meanAbsolute)   // θ = mean |w| per weight tensor
try masks.apply(to: trainer.optimizer)                  // pruned weights stay exactly zero
print("test accuracy after pruning:", try evaluate(model, batches: test.labeledBatches()).accuracy)
// ANCHOR_END: script
