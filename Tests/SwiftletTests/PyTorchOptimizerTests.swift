import XCTest
@testable import Swiftlet

/// Ten optimizer steps on a fixed least-squares problem against PyTorch (Fixtures/optimizers.json).
final class PyTorchOptimizerTests: XCTestCase {
    func testOptimizersMatchPyTorchForTenSteps() throws {
        for c in try loadFixtures("optimizers") {
            let w = try c.input("w0", requiresGrad: true), b = try c.input("b0", requiresGrad: true)
            let x = try c.input("x"), y = try c.input("y")
            let optimizer = try makeOptimizer(c, [w, b])
            let schedule = try makeSchedule(c, optimizer)
            let steps = try c.int("steps")
            var weights: [Float] = [], biases: [Float] = [], losses: [Float] = [], rates: [Float] = []
            for _ in 0..<steps {
                rates.append(optimizer.learningRate)
                optimizer.zeroGrad()
                let loss = try mseLoss(x.linear(weight: w, bias: b), y)
                losses.append(try loss.item)
                try loss.backward()
                optimizer.step()
                schedule?.step()
                weights += w.scalars
                biases += b.scalars
            }
            assertClose(weights, try c.tensor("w_steps").data, rtol: 1e-5, atol: 1e-5, "\(c.name): w")
            assertClose(biases, try c.tensor("b_steps").data, rtol: 1e-5, atol: 1e-5, "\(c.name): b")
            assertClose(losses, try c.tensor("loss_steps").data, rtol: 1e-5, atol: 1e-5, "\(c.name): loss")
            assertClose(rates, try c.tensor("lr_steps").data, rtol: 1e-6, atol: 1e-7, "\(c.name): lr")
        }
    }

    private func makeOptimizer(_ c: FixtureCase, _ parameters: [Tensor]) throws -> Optimizer {
        let lr = Float(try c.double("lr"))
        switch try c.string("optimizer") {
        case "sgd":
            return SGD(parameters, lr: lr, momentum: Float(try c.double("momentum")), dampening: Float(try c.double("dampening")),
                       nesterov: try c.int("nesterov") == 1, weightDecay: Float(try c.double("weight_decay")))
        case "adam", "adamw":
            let betas = try c.doubles("betas")
            return Adam(parameters, lr: lr, betas: (Float(betas[0]), Float(betas[1])), epsilon: Float(try c.double("eps")),
                        weightDecay: Float(try c.double("weight_decay")),
                        decoupledWeightDecay: try c.string("weight_decay_mode") == "decoupled")
        case let other:
            throw FixtureError(c.origin, "unknown optimizer \(other)")
        }
    }

    private func makeSchedule(_ c: FixtureCase, _ optimizer: Optimizer) throws -> LearningRateSchedule? {
        guard let name = c.params["scheduler"] as? String else { return nil }
        switch name {
        case "StepLR":
            return LearningRateSchedule(optimizer, .step(stepSize: try c.int("step_size"), gamma: Float(try c.double("gamma"))))
        case "MultiStepLR":
            return LearningRateSchedule(optimizer, .multiStep(milestones: try c.doubles("milestones").map { Int($0) },
                                                              gamma: Float(try c.double("gamma"))))
        case "CosineAnnealingLR":
            return LearningRateSchedule(optimizer, .cosine(tMax: try c.int("T_max"), minimum: 0))
        default:
            throw FixtureError(c.origin, "unknown scheduler \(name)")
        }
    }
}
