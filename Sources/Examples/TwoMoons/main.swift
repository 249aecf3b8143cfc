import Foundation
import ScalarAutograd

// Trains the scalar engine's MLP on two moons and reports accuracy and time. Build it with
// -c release: a debug build of this allocation-heavy code is many times slower.
let data = TwoMoons(count: 100, noise: 0.1, seed: 1)
let mlp = MLP(inputs: 2, layerSizes: [16, 16, 1], seed: 2)
let start = Date()
train(mlp, on: data, loss: hingeLoss)
let seconds = Date().timeIntervalSince(start)
print(String(format: "two moons: %.1f %% training accuracy, 60 steps of 32 points, %d parameters, %.3f s",
             100 * accuracy(mlp, on: data), mlp.parameters.count, seconds))
