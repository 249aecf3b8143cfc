// The README's training script, compiled and run as `swift run -c release training-script`:
// one epoch of the MNIST net, magnitude pruning with the masks held, test accuracy.
// ANCHOR: script
import Datasets
import Swiftlet

GlobalRandom.seed(0)
let mnist = try loadDataset("mnist")                 // Datasets/MNIST ships with the package
let training = try BatchLoader(mnist.train, batchSize: 64, seed: 0, normalization: .centered(channels: 1))
let test = try BatchLoader(mnist.test, batchSize: 1000, shuffle: false, normalization: .centered(channels: 1))

let model = Sequential {
    ("conv1", Conv2d(1, 10, kernelSize: 5)); MaxPool2d(2); ReLU()
    ("conv2", Conv2d(10, 20, kernelSize: 5)); MaxPool2d(2); ReLU()
    Flatten(); ("fc1", Linear(320, 50)); ReLU(); ("fc2", Linear(50, 10))
}
let optimizer = SGD(model.parameters, lr: 0.01, momentum: 0.9)
for batch in training.labeledBatches(epoch: 0) {     // LabeledBatch: images [64, 1, 28, 28], labels
    let loss = try crossEntropy(model(batch.images), batch.labels)
    optimizer.zeroGrad()
    try loss.backward()
    optimizer.step()
}
let masks = try pruneByMagnitude(model, .meanAbsolute)   // θ = mean |w| per weight tensor
try masks.apply(to: optimizer)                          // pruned weights stay exactly zero
print("test accuracy after pruning:", try evaluate(model, batches: test.labeledBatches()).accuracy)
// ANCHOR_END: script
