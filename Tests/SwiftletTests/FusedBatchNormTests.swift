@testable import Swiftlet
import SwiftletKernels
import XCTest

/// `batchNorm(…, adding:applyingReLU:)` and `BatchNorm(_:adding:applyingReLU:)` stand for
/// `(batchNorm(x) + residual).relu()`: the same values, gradients and running statistics,
/// and the same traced graph.
final class FusedBatchNormTests: XCTestCase {
    /// A residual block's tail written both ways; `fused` picks the one-pass form.
    private final class Tail: Module {
        let conv = Conv2d(3, 3, kernelSize: 3, padding: 1)
        let bn = BatchNorm2d(3)
        let fused: Bool

        init(fused: Bool) {
            self.fused = fused
        }

        override func forward(_ x: Tensor) throws -> Tensor {
            fused ? try bn(conv(x), adding: x, applyingReLU: true) : try (bn(conv(x)) + x).relu()
        }
    }

    func testFusedFormsMatchTheSeparateOpsBitForBit() throws {
        // 5×5 planes leave a tail after the 8-lane loops; [6, 3] is BatchNorm1d's layout.
        for shape in [[4, 3, 5, 5], [6, 3]] {
            for training in [true, false] {
                for (addsResidual, appliesReLU) in [(true, true), (true, false), (false, true)] {
                    let label = "\(shape) training \(training) residual \(addsResidual) relu \(appliesReLU)"
                    let separate = try run(shape: shape, training: training, addsResidual: addsResidual) { x, w, b, r, statistics in
                        try batchNorm(x, weight: w, bias: b, statistics: statistics, training: training)
                            .adding(addsResidual ? r : nil, applyingReLU: appliesReLU)
                    }
                    let fused = try run(shape: shape, training: training, addsResidual: addsResidual) { x, w, b, r, statistics in
                        try batchNorm(x, weight: w, bias: b, statistics: statistics, training: training,
                                      adding: addsResidual ? r : nil, applyingReLU: appliesReLU)
                    }
                    XCTAssertEqual(fused.count, separate.count, label)
                    for (index, (a, b)) in zip(fused, separate).enumerated() {
                        XCTAssertEqual(a, b, "\(label): result \(index)")
                    }
                    if appliesReLU { XCTAssert(fused[0].contains(0) && fused[0].contains { $0 > 0 }, "\(label): the ReLU clamps some") }
                }
            }
        }
    }

    /// Runs `f` on fixed operands and returns its output, the gradients of input, γ, β and the
    /// residual (when it takes part), and the running statistics afterwards.
    private func run(
        shape: [Int], training: Bool, addsResidual: Bool,
        _ f: (Tensor, Tensor, Tensor, Tensor, BatchNormStatistics) throws -> Tensor
    ) throws -> [[Float]] {
        let channels = shape[1]
        let x = spreadTensor(shape, seed: 1), residual = spreadTensor(shape, seed: 2)
        let weight = spreadTensor([channels], seed: 3).affine(scale: 1, shift: 1.5), bias = spreadTensor([channels], seed: 4)
        for tensor in [x, residual, weight, bias] { tensor.requiresGrad = true }
        let statistics = BatchNormStatistics(mean: spreadTensor([channels], seed: 5),
                                             variance: spreadTensor([channels], seed: 6).affine(scale: 0.5, shift: 1), momentum: 0.1)
        let output = try f(x, weight, bias, residual, statistics)
        var generator = SeededRandom(seed: 7)
        try output.backward(Tensor.uniform(output.shape, low: -1, high: 1, generator: &generator))
        let gradients = [x, weight, bias] + (addsResidual ? [residual] : [])
        return [output.scalars] + gradients.map { $0.grad?.scalars ?? [] } + [statistics.mean.scalars, statistics.variance.scalars]
    }

    func testGradientsOfTheFusedForm() throws {
        for training in [true, false] {
            let statistics = { BatchNormStatistics(mean: spreadTensor([3], seed: 60).detached(),
                                                   variance: spreadTensor([3], seed: 61).affine(scale: 0.5, shift: 1).detached(),
                                                   momentum: 0.1) }
            try checkGradients([spreadTensor([4, 3, 2, 2], seed: 62), spreadTensor([3], seed: 63), spreadTensor([3], seed: 64),
                                spreadTensor([4, 3, 2, 2], seed: 65)], epsilon: 1e-3) {
                try batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: statistics(), training: training,
                              adding: $0[3], applyingReLU: true)
            }
        }
    }

    func testTheTraceRecordsTheSeparateOps() throws {
        let example = spreadTensor([2, 3, 4, 4], seed: 8)
        let separate = try Tail(fused: false).graph(tracing: example), fused = try Tail(fused: true).graph(tracing: example)
        XCTAssertEqual(fused.description, separate.description)
        XCTAssertEqual(fused.nodes.map(\.op.name), ["conv2d", "batchNorm", "add", "relu"])
        XCTAssertEqual(fused.nodes.map(\.path), ["conv", "bn", "", ""], "the addition and the ReLU belong to the block, not the batch norm")
        XCTAssertEqual(fused.calls.map(\.path), separate.calls.map(\.path))
    }

    func testTheFusedModuleTrainsAsTheSeparateOps() throws {
        let input = spreadTensor([2, 3, 4, 4], seed: 9)
        var results: [[Float]] = []
        for fused in [false, true] {
            var generator = SeededRandom(seed: 10)
            let model = Tail(fused: fused)
            for parameter in [model.conv.weight, model.conv.bias!] {
                parameter.scalars = parameter.scalars.map { _ in generator.nextUniform(-0.5, 0.5) }
            }
            let output = try model(input)
            try output.sum().backward()
            results.append(output.scalars + model.conv.weight.grad!.scalars + model.bn.weight.grad!.scalars
                           + model.bn.runningMean.scalars + model.bn.batchesTracked.scalars)
        }
        XCTAssertEqual(results[1], results[0])
    }

    func testAResidualOfAnotherShapeIsRefusedAndChangesNothing() {
        let norm = BatchNorm2d(3)
        assertThrows(try norm(Tensor.zeros([2, 3, 4, 4]), adding: Tensor.zeros([2, 3, 4, 5]), applyingReLU: true),
                     TensorError.shapeMismatch(op: "batchNorm", [2, 3, 4, 4], [2, 3, 4, 5], "the residual must have the input's shape"))
        XCTAssertEqual(norm.batchesTracked.scalars, [0])
        XCTAssertEqual(norm.runningMean.scalars, [0, 0, 0])
    }
}
