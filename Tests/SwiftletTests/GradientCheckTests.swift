import XCTest
@testable import Swiftlet

/// One central-difference check per differentiable operation, named after the operation.
final class GradientCheckTests: XCTestCase {
    // ANCHOR: check-add
    func testGradientAdd() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 1), spreadTensor([3, 1], seed: 2)]) { try $0[0] + $0[1] }
    }
    // ANCHOR_END: check-add

    func testGradientSub() throws {
        try checkGradients([spreadTensor([4], seed: 3), spreadTensor([2, 3, 4], seed: 4)]) { try $0[0] - $0[1] }
    }

    func testGradientMul() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 5), spreadTensor([2, 1, 4], seed: 6)]) { try $0[0] * $0[1] }
    }

    func testGradientDiv() throws {
        let denominator = spreadTensor([3, 1], seed: 8).affine(scale: 0.5, shift: 2).detached()  // kept away from 0
        try checkGradients([spreadTensor([3, 4], seed: 7), denominator]) { try $0[0] / $0[1] }
    }

    func testGradientReusedIntermediate() throws {
        // y = (a·b) + (a·b)·a reuses a non-leaf node: micrograd's oldest bug.
        try checkGradients([spreadTensor([5], seed: 9), spreadTensor([5], seed: 10)]) { t in
            let ab = try t[0] * t[1]
            return try ab + ab * t[0]
        }
    }

    func testGradientAffine() throws {
        try checkGradients([spreadTensor([6], seed: 11)]) { ($0[0] * 3 + 1) / 2 - 0.5 }
    }

    // ANCHOR: check-matmul
    func testGradientMatmul() throws {
        try checkGradients([spreadTensor([3, 4], seed: 12), spreadTensor([4, 5], seed: 13)]) { try $0[0].matmul($0[1]) }
    }
    // ANCHOR_END: check-matmul

    func testGradientMatmulBatched() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 14), spreadTensor([2, 4, 2], seed: 15)]) { try $0[0].matmul($0[1]) }
        try checkGradients([spreadTensor([2, 3, 4], seed: 16), spreadTensor([4, 2], seed: 17)]) { try $0[0].matmul($0[1]) }
    }

    func testGradientLinear() throws {
        try checkGradients([spreadTensor([5, 4], seed: 18), spreadTensor([3, 4], seed: 19), spreadTensor([3], seed: 20)]) {
            try $0[0].linear(weight: $0[1], bias: $0[2])
        }
    }

    func testGradientSum() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 21)]) { try $0[0].sum(alongAxes: [0, 2]) }
        try checkGradients([spreadTensor([2, 3], seed: 22)]) { $0[0].sum() }
    }

    func testGradientMean() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 23)]) { try $0[0].mean(alongAxes: [-1], keepingDimensions: true) }
        try checkGradients([spreadTensor([2, 3], seed: 24)]) { $0[0].mean() }
    }

    func testGradientReshape() throws {
        try checkGradients([spreadTensor([2, 6], seed: 25)]) { try $0[0].reshaped([3, -1]) }
    }

    func testGradientFlatten() throws {
        try checkGradients([spreadTensor([2, 3, 2, 2], seed: 26)]) { try $0[0].flattened() }
    }

    func testGradientPermute() throws {
        try checkGradients([spreadTensor([2, 3, 4], seed: 27)]) { try $0[0].permuted([2, 0, 1]) }
    }

    func testGradientTranspose() throws {
        try checkGradients([spreadTensor([3, 5], seed: 28)]) { try $0[0].transposed() }
    }

    func testGradientRelu() throws {
        try checkGradients([spreadTensor([3, 7], seed: 29)], epsilon: 1e-3) { $0[0].relu() }
    }

    func testGradientSigmoid() throws {
        try checkGradients([spreadTensor([3, 7], seed: 30)]) { $0[0].sigmoid() }
    }

    func testGradientTanh() throws {
        try checkGradients([spreadTensor([3, 7], seed: 31)]) { $0[0].tanh() }
    }

    func testGradientExp() throws {
        try checkGradients([spreadTensor([3, 7], seed: 32)]) { $0[0].exp() }
    }

    func testGradientLog() throws {
        try checkGradients([spreadTensor([3, 7], seed: 33).affine(scale: 1, shift: 2).detached()]) { $0[0].log() }
    }

    func testGradientSoftmax() throws {
        try checkGradients([spreadTensor([3, 5], seed: 34)]) { try $0[0].softmax(alongAxis: 1) }
        try checkGradients([spreadTensor([2, 3, 4], seed: 35)]) { try $0[0].softmax(alongAxis: 1) }
    }

    // ANCHOR: check-log-softmax
    func testGradientLogSoftmax() throws {
        try checkGradients([spreadTensor([3, 5], seed: 36)]) { try $0[0].logSoftmax(alongAxis: -1) }
        try checkGradients([spreadTensor([2, 3, 4], seed: 37)]) { try $0[0].logSoftmax(alongAxis: 1) }
    }
    // ANCHOR_END: check-log-softmax

    // ANCHOR: check-conv2d
    func testGradientConv2d() throws {
        // Stride, padding, bias.
        try checkGradients([spreadTensor([2, 3, 6, 5], seed: 38), spreadTensor([4, 3, 3, 3], seed: 39), spreadTensor([4], seed: 40)],
                           epsilon: 1e-2, rtol: 2e-2, atol: 5e-3) {
            try conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
        // Dilation, groups, non-square stride and padding, no bias.
        try checkGradients([spreadTensor([1, 4, 7, 6], seed: 41), spreadTensor([6, 2, 2, 3], seed: 42)],
                           epsilon: 1e-2, rtol: 2e-2, atol: 5e-3) {
            try conv2d($0[0], weight: $0[1], stride: Size2D(1, 2), padding: Size2D(2, 1), dilation: 2, groups: 2)
        }
    }
    // ANCHOR_END: check-conv2d

    // ANCHOR: check-max-pool
    func testGradientMaxPool2d() throws {
        try checkGradients([spreadTensor([2, 2, 6, 6], seed: 43, gap: 0.01)], epsilon: 1e-3) { try maxPool2d($0[0], kernelSize: 2) }
        try checkGradients([spreadTensor([1, 2, 5, 7], seed: 44, gap: 0.01)], epsilon: 1e-3) {
            try maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1)
        }
    }
    // ANCHOR_END: check-max-pool

    func testGradientAvgPool2d() throws {
        try checkGradients([spreadTensor([2, 2, 6, 6], seed: 45)]) { try avgPool2d($0[0], kernelSize: 2) }
        for includePad in [true, false] {
            try checkGradients([spreadTensor([1, 2, 5, 7], seed: 46)]) {
                try avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: includePad)
            }
        }
    }

    func testGradientDropout() throws {
        try checkGradients([spreadTensor([4, 5], seed: 47)]) { t in
            GlobalRandom.seed(7)  // the same mask for every evaluation of f
            return try t[0].dropout(probability: 0.4)
        }
    }

    // ANCHOR: check-cross-entropy
    func testGradientCrossEntropy() throws {
        try checkGradients([spreadTensor([4, 5], seed: 48).affine(scale: 3, shift: 0).detached()]) {
            try crossEntropy($0[0], [0, 4, 2, 2])
        }
    }
    // ANCHOR_END: check-cross-entropy

    func testGradientNllLoss() throws {
        try checkGradients([spreadTensor([4, 5], seed: 49)]) { try nllLoss($0[0], [1, 0, 3, 4]) }
    }

    func testGradientKlDivergence() throws {
        let teacher = spreadTensor([3, 5], seed: 50).affine(scale: 4, shift: 0).detached()
        for temperature: Float in [1, 4] {
            try checkGradients([spreadTensor([3, 5], seed: 51).affine(scale: 4, shift: 0).detached()]) {
                try klDivergence(studentLogits: $0[0], teacherLogits: teacher, temperature: temperature)
            }
        }
    }

    func testGradientMseLoss() throws {
        try checkGradients([spreadTensor([3, 4], seed: 52), spreadTensor([3, 4], seed: 53)]) { try mseLoss($0[0], $0[1]) }
    }
}

extension GradientCheckTests {
    // ANCHOR: check-batch-norm
    func testGradientBatchNorm() throws {
        for training in [true, false] {
            let statistics = { BatchNormStatistics(mean: spreadTensor([3], seed: 60).detached(),
                                                   variance: spreadTensor([3], seed: 61).affine(scale: 0.5, shift: 1).detached(),
                                                   momentum: 0.1) }
            try checkGradients([spreadTensor([4, 3, 2, 2], seed: 62), spreadTensor([3], seed: 63), spreadTensor([3], seed: 64)]) {
                try batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: statistics(), training: training)
            }
        }
    }
    // ANCHOR_END: check-batch-norm
}

extension GradientCheckTests {
    func testGradientDistillationLoss() throws {
        let teacher = spreadTensor([3, 5], seed: 70).affine(scale: 4, shift: 0).detached()
        for scaled in [true, false] {
            let loss = DistillationLoss(temperature: 3, alpha: 0.7, scaleByTemperatureSquared: scaled)
            try checkGradients([spreadTensor([3, 5], seed: 71).affine(scale: 4, shift: 0).detached()]) {
                try loss(studentLogits: $0[0], teacherLogits: teacher, labels: [1, 4, 0])
            }
        }
    }
}

extension GradientCheckTests {
    func testGradientConcat() throws {
        try checkGradients([spreadTensor([2, 3, 2, 2], seed: 80), spreadTensor([2, 1, 2, 2], seed: 81), spreadTensor([2, 2, 2, 2], seed: 82)]) {
            try concat($0, alongAxis: 1)
        }
        try checkGradients([spreadTensor([3, 2, 4], seed: 83), spreadTensor([3, 2, 1], seed: 84)]) { try concat($0, alongAxis: -1) }
        try checkGradients([spreadTensor([1, 3], seed: 85), spreadTensor([2, 3], seed: 86)]) { try concat($0, alongAxis: 0) }
        // The same tensor twice (and once more behind another): its two blocks' gradients add up.
        try checkGradients([spreadTensor([2, 3, 2], seed: 87)]) { try concat([$0[0], $0[0]]) }
        try checkGradients([spreadTensor([2, 2, 3], seed: 88), spreadTensor([2, 2, 1], seed: 89)]) {
            try concat([$0[0], $0[1], $0[0]], alongAxis: 2)
        }
    }

    func testGradientGlobalAvgPool2d() throws {
        try checkGradients([spreadTensor([2, 3, 3, 5], seed: 90)]) { try globalAvgPool2d($0[0]) }
        try checkGradients([spreadTensor([1, 2, 4, 5], seed: 91)]) { try globalAvgPool2d($0[0]) }  // 8 lanes and a tail
    }

    func testGradientPadded() throws {
        try checkGradients([spreadTensor([2, 3, 2, 3], seed: 92)]) {
            try $0[0].padded([(0, 0), (1, 0), (2, 1), (0, 2)], value: 0.5)
        }
        try checkGradients([spreadTensor([4], seed: 93)]) { try $0[0].padded([(3, 1)]) }
        try checkGradients([spreadTensor([1, 2, 3, 3], seed: 94)]) { try ZeroPad2d(left: 1, right: 0, top: 2, bottom: 1)($0[0]) }
    }

    func testGradientSliced() throws {
        try checkGradients([spreadTensor([2, 5, 3], seed: 95)]) { try $0[0].sliced(alongAxis: 1, 1..<4) }
        try checkGradients([spreadTensor([3, 4], seed: 96)]) { try $0[0].sliced(alongAxis: -1, 3..<4) }
        try checkGradients([spreadTensor([3, 2, 2], seed: 97)]) { try $0[0].sliced(alongAxis: 0, 0..<2) }
        // Two overlapping slices of one tensor: the overlap gets both gradients.
        try checkGradients([spreadTensor([2, 5, 2], seed: 98)]) { t in
            try t[0].sliced(alongAxis: 1, 0..<3) * t[0].sliced(alongAxis: 1, 2..<5)
        }
    }
}
