import SwiftletKernels
import XCTest
@testable import Swiftlet

final class DistillationTests: XCTestCase {
    /// Points in 4-D labelled by which of three fixed linear scores is largest: separable by a Linear.
    private struct Problem {
        let scores: Linear
        let train: [LabeledBatch]
        let test: [LabeledBatch]

        init(seed: UInt64) throws {
            var generator = SeededRandom(seed: seed)
            let scores = Linear(4, 3, bias: false, generator: &generator)
            func batches(_ count: Int, size: Int) throws -> [LabeledBatch] {
                try (0..<count).map { _ in
                    let x = Tensor.normal([size, 4], generator: &generator)
                    return LabeledBatch(images: x, labels: predictedClasses(try scores(x)))
                }
            }
            self.scores = scores
            train = try batches(8, size: 32)
            test = try batches(4, size: 64)
        }

        /// The same images with labels from `relabel`.
        func relabeled(_ batches: [LabeledBatch], _ relabel: (Int) -> Int) -> [LabeledBatch] {
            batches.map { LabeledBatch(images: $0.images, labels: $0.labels.map(relabel)) }
        }
    }

    private func trainedTeacher(_ problem: Problem) throws -> Sequential {
        let teacher = Sequential { ("fc1", Linear(4, 32)); ReLU(); Dropout(0.2); ("fc2", Linear(32, 3)) }
        let optimizer = SGD(teacher.parameters, lr: 0.1, momentum: 0.9)
        for _ in 0..<15 { _ = try trainEpoch(teacher, optimizer: optimizer, batches: problem.train, batchCount: 8) }
        XCTAssertGreaterThan(try evaluate(teacher, batches: problem.test).accuracy, 90)
        return teacher
    }

    func testSoftDistillationTeachesTheStudent() throws {
        GlobalRandom.seed(1)
        let problem = try Problem(seed: 1)
        let teacher = try trainedTeacher(problem)
        teacher.train()
        let student = Sequential { ("fc", Linear(4, 3)) }
        let before = try evaluate(student, batches: problem.test).accuracy
        let optimizer = SGD(student.parameters, lr: 0.1, momentum: 0.9)
        var losses: [Double] = []
        for _ in 0..<10 {
            losses.append(try distillEpoch(student: student, teacher: teacher, optimizer: optimizer, batches: problem.train, batchCount: 8,
                                           targets: .soft(DistillationLoss(temperature: 4, alpha: 0.9))).loss)
        }
        let after = try evaluate(student, batches: problem.test).accuracy
        XCTAssertLessThan(before, 70)
        XCTAssertGreaterThan(after, 90)
        XCTAssertLessThan(losses.last!, 0.5 * losses.first!)
        XCTAssertTrue(teacher.isTraining, "the teacher's mode is restored")
    }

    func testHardLabelModeFollowsTheTeacherNotTheLabels() throws {
        GlobalRandom.seed(2)
        let problem = try Problem(seed: 2)
        // A teacher that is always wrong in a fixed way: its score for class c is the true score
        // of class c+1, so it predicts (y + 2) mod 3.
        let teacher = Linear(4, 3, bias: false)
        let w = problem.scores.weight.scalars
        teacher.weight.scalars = (0..<3).flatMap { c in w[((c + 1) % 3 * 4)..<((c + 1) % 3 * 4 + 4)] }
        let student = Sequential { ("fc", Linear(4, 3)) }
        let optimizer = SGD(student.parameters, lr: 0.1, momentum: 0.9)
        for _ in 0..<10 {
            _ = try distillEpoch(student: student, teacher: teacher, optimizer: optimizer, batches: problem.train, batchCount: 8,
                                 targets: .teacherArgmax)
        }
        XCTAssertGreaterThan(try evaluate(student, batches: problem.relabeled(problem.test) { ($0 + 2) % 3 }).accuracy, 90)
        XCTAssertLessThan(try evaluate(student, batches: problem.test).accuracy, 10)
    }

    func testCachedLogitsEqualFreshOnesAndTrainIdentically() throws {
        GlobalRandom.seed(3)
        let problem = try Problem(seed: 3)
        let teacher = try trainedTeacher(problem)
        teacher.train()  // dropout on: the cache must still hold evaluation-mode logits

        func distil(cache: TeacherLogitCache?) throws -> [Float] {
            GlobalRandom.seed(10)
            let student = Sequential { ("fc", Linear(4, 3)) }
            let optimizer = SGD(student.parameters, lr: 0.05, momentum: 0.9)
            for epoch in 0..<3 {
                // A different order every epoch, as a shuffling loader gives.
                let order = epoch % 2 == 0 ? problem.train : problem.train.reversed()
                _ = try distillEpoch(student: student, teacher: teacher, optimizer: optimizer, batches: order, batchCount: 8, cache: cache)
            }
            return student.parameters.flatMap(\.scalars)
        }
        let cache = TeacherLogitCache()
        XCTAssertEqual(try distil(cache: cache), try distil(cache: nil))
        XCTAssertTrue(cache.isFilled)
        XCTAssertEqual(cache.count, 8 * 32)

        teacher.eval()
        for batch in problem.train {
            let fresh = try withNoGrad { try teacher(batch.images) }
            let cached = try cache.logits(for: batch.images) { _ in XCTFail("the teacher ran on a cached batch"); return fresh }
            XCTAssertEqual(cached.scalars, fresh.scalars)
        }
        // A filled cache refuses images it has not seen (what augmentation would produce).
        XCTAssertThrowsError(try cache.logits(for: Tensor.normal([2, 4])) { try teacher($0) }) { error in
            XCTAssertTrue(error is TeacherLogitCache.UnseenImageError)
        }
    }
}
