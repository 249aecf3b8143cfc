import Exercises
import Foundation
import ScalarAutograd
import Swiftlet
import XCTest

/// The exercises by the names `SWIFTLET_EXERCISES` switches on.
enum Exercise: String, CaseIterable {
    case pow, sin, leakyReLU = "leaky-relu", logSoftmax = "log-softmax", avgPool = "avg-pool", l2Norm = "l2-norm", scalarMLP = "scalar-mlp"

    /// The exercises named in `SWIFTLET_EXERCISES` (comma-separated, or `all`); an unknown name is an error.
    static func switchedOn() throws -> [Exercise] {
        let names = (ProcessInfo.processInfo.environment["SWIFTLET_EXERCISES"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if names == ["all"] { return allCases }
        return try names.map { name in
            guard let exercise = Exercise(rawValue: name) else { throw UnknownExercise(name: name) }
            return exercise
        }
    }

    /// Runs this exercise's checks on `answers`: forward values against a reference, the
    /// backward against central differences (`checkGradients`), and bad input.
    func check<Answers: AutogradExercises>(_ answers: Answers.Type, file: StaticString = #filePath, line: UInt = #line) throws {
        switch self {
        case .pow:
            let x = spreadTensor([3, 4], seed: 1).affine(scale: 1, shift: 2).detached()  // bases in [1, 3]
            assertClose(try answers.pow(x, 3).scalars, x.scalars.map { $0 * $0 * $0 }, file: file, line: line)
            try checkGradients([x]) { try answers.pow($0[0], 3) }
            try checkGradients([x]) { try answers.pow($0[0], -0.5) }
        case .sin:
            let x = spreadTensor([2, 5], seed: 2).affine(scale: 3, shift: 0).detached()
            assertClose(try answers.sin(x).scalars, x.scalars.map { Foundation.sin($0) }, file: file, line: line)
            try checkGradients([x]) { try answers.sin($0[0]) }
        case .leakyReLU:
            let x = spreadTensor([3, 5], seed: 3)
            assertClose(try answers.leakyReLU(x, negativeSlope: 0.1).scalars, x.scalars.map { $0 > 0 ? $0 : 0.1 * $0 }, file: file, line: line)
            try checkGradients([x]) { try answers.leakyReLU($0[0], negativeSlope: 0.1) }
        case .logSoftmax:
            let x = spreadTensor([3, 5], seed: 4)
            assertClose(try answers.logSoftmax(x).scalars, try x.logSoftmax(alongAxis: 1).scalars, file: file, line: line)
            try checkGradients([x]) { try answers.logSoftmax($0[0]) }
            let huge = try Tensor([1000, 0, -1000, 5000, 5001, 4999], shape: [2, 3])
            assertClose(try answers.logSoftmax(huge).scalars, try huge.logSoftmax(alongAxis: 1).scalars, file: file, line: line)
        case .avgPool:
            let x = spreadTensor([2, 3, 4, 6], seed: 5)
            assertClose(try answers.avgPool2d(x, window: 2).scalars, try avgPool2d(x, kernelSize: 2).scalars, file: file, line: line)
            try checkGradients([x]) { try answers.avgPool2d($0[0], window: 2) }
            XCTAssertThrowsError(try answers.avgPool2d(x, window: 4), "6 columns do not split into windows of 4", file: file, line: line)
        case .l2Norm:
            let x = spreadTensor([3, 4], seed: 6)
            let y = try answers.l2Normalize(x)
            let norms = try (x * x).sum(alongAxes: [1], keepingDimensions: true).scalars.map { $0.squareRoot() }
            assertClose(y.scalars, x.scalars.indices.map { x.scalars[$0] / norms[$0 / 4] }, file: file, line: line)
            try checkGradients([x]) { try answers.l2Normalize($0[0]) }
            // As a layer after a Linear: its gradient reaches the weights.
            try checkGradients([spreadTensor([2, 3], seed: 7), spreadTensor([4, 3], seed: 8)]) {
                try answers.l2Normalize($0[0].linear(weight: $0[1], bias: nil))
            }
        case .scalarMLP:
            let loss = try answers.logisticLoss(scores: [Value(2), Value(-0.5)], labels: [1, 1])
            XCTAssertEqual(loss.data, (Foundation.log(1 + Foundation.exp(-2)) + Foundation.log(1 + Foundation.exp(0.5))) / 2,
                           accuracy: 1e-12, file: file, line: line)
            let data = TwoMoons(count: 100, noise: 0.1, seed: 1)
            let mlp = MLP(inputs: 2, layerSizes: [16, 16, 1], seed: 2)
            try train(mlp, on: data, loss: answers.logisticLoss)
            XCTAssertGreaterThanOrEqual(accuracy(mlp, on: data), 0.95, file: file, line: line)
        }
    }
}

struct UnknownExercise: Error, CustomStringConvertible {
    let name: String
    var description: String {
        "SWIFTLET_EXERCISES names no exercise \"\(name)\"; the names are \(Exercise.allCases.map(\.rawValue).joined(separator: ", ")) or all"
    }
}

func assertClose(_ received: [Float], _ expected: [Float], tolerance: Float = 1e-4, file: StaticString, line: UInt) {
    XCTAssertEqual(received.count, expected.count, "element count", file: file, line: line)
    for (index, (a, b)) in zip(received, expected).enumerated() where abs(a - b) > tolerance * max(1, abs(b)) {
        return XCTFail("element \(index): received \(a), expected \(b)", file: file, line: line)
    }
}
