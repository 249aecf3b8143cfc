import XCTest
@testable import Swiftlet

/// Forward values and gradients against PyTorch on fixed inputs (Fixtures/ops.json,
/// written by Fixtures/generate_fixtures.py). Gradients are of Σ y·gy.
final class PyTorchOpsTests: XCTestCase {
    /// Runs `f` on the case's inputs, backpropagates `gy`, and returns nothing: the caller checks.
    private func run(_ c: FixtureCase, _ names: [String], _ f: ([Tensor]) throws -> Tensor) throws -> (Tensor, [Tensor]) {
        let inputs = try names.map { try c.input($0, requiresGrad: true) }
        let y = try f(inputs)
        try y.backward(y.rank == 0 ? nil : c.input("gy"))
        return (y, inputs)
    }

    func testConv2dMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "conv2d") {
            let (y, t) = try run(c, ["x", "w", "b"]) {
                try conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.size2D("stride"), padding: c.size2D("padding"),
                           dilation: c.size2D("dilation"), groups: c.int("groups"))
            }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx"); try c.expect(t[1].grad, "gw"); try c.expect(t[2].grad, "gb")
        }
    }

    func testMaxPool2dMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "max_pool2d") {
            let (y, t) = try run(c, ["x"]) {
                try maxPool2d($0[0], kernelSize: c.size2D("kernel"), stride: c.size2D("stride"), padding: c.size2D("padding"))
            }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
        }
    }

    func testAvgPool2dMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "avg_pool2d") {
            let (y, t) = try run(c, ["x"]) {
                try avgPool2d($0[0], kernelSize: c.size2D("kernel"), stride: c.size2D("stride"), padding: c.size2D("padding"),
                              countIncludePad: c.int("count_include_pad") == 1)
            }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
        }
    }

    func testLinearMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "linear").first)
        let (y, t) = try run(c, ["x", "w", "b"]) { try $0[0].linear(weight: $0[1], bias: $0[2]) }
        try c.expect(y, "y"); try c.expect(t[0].grad, "gx"); try c.expect(t[1].grad, "gw"); try c.expect(t[2].grad, "gb")
    }

    func testLogSoftmaxMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "log_softmax").first)
        let (y, t) = try run(c, ["x"]) { try $0[0].logSoftmax(alongAxis: 1) }
        try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
    }

    func testSoftmaxMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "softmax").first)
        let (y, t) = try run(c, ["x"]) { try $0[0].softmax(alongAxis: 1) }
        try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
    }

    func testCrossEntropyMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "cross_entropy").first)
        let (loss, t) = try run(c, ["logits"]) { try crossEntropy($0[0], c.labels("targets")) }
        try c.expect(loss, "loss"); try c.expect(t[0].grad, "glogits")
    }

    func testNllLossMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "nll_loss").first)
        let (loss, t) = try run(c, ["logp"]) { try nllLoss($0[0], c.labels("targets")) }
        try c.expect(loss, "loss"); try c.expect(t[0].grad, "glogp")
    }

    func testKlDivergenceMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "kl_div") {
            let teacher = try c.input("t")
            let (loss, t) = try run(c, ["s"]) {
                try klDivergence(studentLogits: $0[0], teacherLogits: teacher, temperature: Float(c.double("T")))
            }
            try c.expect(loss, "loss"); try c.expect(t[0].grad, "gs")
        }
    }

    func testMseLossMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "mse").first)
        let target = try c.input("target")
        let (loss, t) = try run(c, ["x"]) { try mseLoss($0[0], target) }
        try c.expect(loss, "loss"); try c.expect(t[0].grad, "gx")
    }

    func testElementwiseMatchPyTorch() throws {
        let ops: [String: (Tensor) -> Tensor] = ["sigmoid": { $0.sigmoid() }, "tanh": { $0.tanh() }, "exp": { $0.exp() },
                                                 "log": { $0.log() }, "relu": { $0.relu() }]
        for (name, op) in ops {
            let c = try XCTUnwrap(loadFixtures("ops").first { $0.name == name }, name)
            let (y, t) = try run(c, ["x"]) { op($0[0]) }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
        }
    }

    func testGlobalAvgPool2dMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "global_avg_pool2d") {
            let (y, t) = try run(c, ["x"]) { try globalAvgPool2d($0[0]) }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
            let (layerY, layerT) = try run(c, ["x"]) { try GlobalAvgPool2d()($0[0]) }
            try c.expect(layerY, "y"); try c.expect(layerT[0].grad, "gx")
        }
    }

    func testConcatMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "concat") {
            let names = try (0..<c.int("inputs")).map { "x\($0)" }
            let repeatFirst = try c.int("repeat_first") == 1
            let (y, t) = try run(c, names) { try concat(repeatFirst ? [$0[0]] + $0 : $0, alongAxis: c.int("axis")) }
            try c.expect(y, "y")
            for (i, x) in t.enumerated() { try c.expect(x.grad, "gx\(i)") }
        }
    }

    func testPaddedMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "pad") {
            let (y, t) = try run(c, ["x"]) { try $0[0].padded(c.pairs("padding"), value: Float(c.double("value"))) }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
        }
    }

    func testZeroPad2dMatchesPyTorch() throws {
        let c = try XCTUnwrap(fixtureCases("ops", prefix: "zero_pad2d").first)
        let layer = try ZeroPad2d(left: c.int("left"), right: c.int("right"), top: c.int("top"), bottom: c.int("bottom"))
        let (y, t) = try run(c, ["x"]) { try layer($0[0]) }
        try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
    }

    func testSlicedMatchesPyTorch() throws {
        for c in try fixtureCases("ops", prefix: "slice") {
            let start = try c.int("start"), length = try c.int("length")
            let (y, t) = try run(c, ["x"]) { try $0[0].sliced(alongAxis: c.int("axis"), start..<(start + length)) }
            try c.expect(y, "y"); try c.expect(t[0].grad, "gx")
        }
    }
}
