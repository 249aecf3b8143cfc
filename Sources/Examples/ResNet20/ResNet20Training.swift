import Swiftlet
import SwiftletCLI

/// The ResNet-20 experiments' training recipe: SGD with Nesterov momentum 0.9 and weight
/// decay 5·10⁻⁴ from `learningRate`, annealed to 0 along a cosine over `epochs` (the data
/// brings batch 128, random crops and flips).
func trainResNet20(_ model: Module, epochs: Int, learningRate: Float, stage: String, data: ImageData,
                   context: ExperimentContext, afterEpoch: ((Int) throws -> Void)? = nil) throws {
    let optimizer = SGD(model.parameters, lr: learningRate, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
    try context.train(model, optimizer: optimizer, data: data, epochs: epochs, stage: stage,
                      schedule: LearningRateSchedule(optimizer, .cosine(tMax: epochs, minimum: 0)), afterEpoch: afterEpoch)
}
