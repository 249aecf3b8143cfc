import Swiftlet
import XCTest

/// Warm-up and one-cycle (the other rules are checked against PyTorch in PyTorchOptimizerTests).
final class LearningRateScheduleTests: XCTestCase {
    private func rates(_ rule: LearningRateSchedule.Rule, lr: Float = 1, warmup: Int = 0, steps: Int) -> [Float] {
        let layer = Linear(2, 2)
        let optimizer = SGD(layer.parameters, lr: lr)
        let schedule = LearningRateSchedule(optimizer, rule, warmupSteps: warmup)
        var rates = [optimizer.learningRate]
        for _ in 0..<steps {
            schedule.step()
            rates.append(optimizer.learningRate)
        }
        return rates
    }

    private func assertClose(_ got: [Float], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (step, (rate, want)) in zip(got, expected).enumerated() {
            XCTAssertEqual(Double(rate), want, accuracy: 1e-6, "step \(step)", file: file, line: line)
        }
    }

    func testLinearWarmupRisesToTheRateThenHandsOverToTheRule() {
        assertClose(rates(.constant, lr: 0.4, warmup: 4, steps: 6), [0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.4])
        // After the warm-up the rule counts from its own step 0: step decay by 0.5 every 2 steps.
        assertClose(rates(.step(stepSize: 2, gamma: 0.5), lr: 1, warmup: 2, steps: 6), [0.5, 1, 1, 1, 0.5, 0.5, 0.25])
    }

    /// PyTorch's OneCycleLR(max_lr=1, total_steps=10) learning rates, from its formula: the
    /// peak at step 0.3·10 − 1 = 2, the floor 1/25/10⁴ at step 9 and after.
    func testOneCycleFollowsPyTorchsCurve() {
        assertClose(rates(.oneCycle(totalSteps: 10), steps: 10),
                    [0.04, 0.52, 1, 0.9504846320134737, 0.8117456539497631, 0.6112620219362893,
                     0.38874197806371075, 0.18825834605023697, 0.049519367986526286, 4e-06, 4e-06])
    }

    func testResumingSetsThePositionAndTheRate() {
        let layer = Linear(2, 2)
        let optimizer = SGD(layer.parameters, lr: 1)
        let schedule = LearningRateSchedule(optimizer, .oneCycle(totalSteps: 10))
        schedule.resume(atStep: 2)
        XCTAssertEqual(schedule.steps, 2)
        XCTAssertEqual(optimizer.learningRate, 1)
        schedule.step()
        XCTAssertEqual(optimizer.learningRate, 0.9504846, accuracy: 1e-6)
        // Step 0 of a rule that starts at lr₀ is lr₀ exactly (the cosine formula may be a bit off).
        let cosine = LearningRateSchedule(optimizer, .cosine(tMax: 7, minimum: 0.001))
        cosine.step()
        cosine.resume(atStep: 0)
        XCTAssertEqual(optimizer.learningRate, cosine.initialLearningRate)
    }
}
