import XCTest
@testable import Swiftlet
import SwiftletKernels

/// The traced graph of models defined only here: every op with its operands, shapes and
/// module path; a graph that runs as the model does; clear errors for what it cannot see.
final class ModelGraphTests: XCTestCase {
    /// conv → BN → ReLU, then a residual block, a concat of two branches, global pooling, fc.
    final class SkipNet: Module {
        let conv = Conv2d(2, 4, kernelSize: 3, padding: 1, bias: false)
        let norm = BatchNorm2d(4)
        let inner = Conv2d(4, 4, kernelSize: 3, padding: 1)
        let left = Conv2d(4, 3, kernelSize: 1)
        let right = Conv2d(4, 2, kernelSize: 3, padding: 1)
        let fc = Linear(5, 3)

        override func forward(_ x: Tensor) throws -> Tensor {
            let h = try norm(conv(x)).relu()
            let r = try (inner(h) + h).relu()
            let joined = try concat([left(r), right(r)])
            return try fc(globalAvgPool2d(joined).flattened())
        }
    }

    /// A layer that computes outside Swiftlet's ops: a trace cannot see inside it.
    final class Opaque: Module {
        override func forward(_ input: Tensor) throws -> Tensor {
            Tensor(shape: input.shape, scalars: input.scalars.map { $0 * 2 })
        }
    }

    func testEveryOpIsRecordedWithItsModulePath() throws {
        GlobalRandom.seed(1)
        let graph = try SkipNet().graph(inputShape: [2, 6, 6])
        XCTAssertEqual(graph.nodes.map(\.op.name), ["conv2d", "batchNorm", "relu", "conv2d", "add", "relu", "conv2d", "conv2d",
                                                  "concat", "globalAvgPool2d", "reshape", "linear"])
        XCTAssertEqual(graph.nodes.map(\.path), ["conv", "norm", "", "inner", "", "", "left", "right", "", "", "", "fc"])
        XCTAssertEqual(graph.values[graph.nodes[8].output].shape, [1, 5, 6, 6])
        // Operands by state-dict name: the BatchNorm's four tensors, the conv without a bias.
        XCTAssertEqual(graph.nodes[1].inputs.dropFirst().compactMap(graph.parameterName(of:)),
                       ["norm.weight", "norm.bias", "norm.running_mean", "norm.running_var"])
        XCTAssertEqual(graph.nodes[0].inputs.count, 2)
        XCTAssertEqual(graph.nodes[4].inputs, [graph.nodes[3].output, graph.nodes[2].output], "the add reads the block's input again")
        XCTAssertEqual(graph.consumers(of: graph.nodes[5].output), [6, 7])
        XCTAssertTrue(graph.description.contains("= add(%"), graph.description)
    }

    func testTheGraphRunsWhatTheModelComputes() throws {
        GlobalRandom.seed(2)
        let model = SkipNet()
        let graph = try model.graph(inputShape: [2, 6, 6])
        let input = Tensor.uniform([3, 2, 6, 6], low: -1, high: 1)  // another batch size than the trace's
        model.eval()
        let expected = try withNoGrad { try model(input) }
        XCTAssertEqual(try withNoGrad { try graph.run(input) }.scalars, expected.scalars)
        XCTAssertTrue(model.isTraining == false)
        model.train()
        _ = try model.graph(inputShape: [2, 6, 6])
        XCTAssertTrue(model.isTraining, "tracing restores the model's mode")
    }

    func testMACsAreCountedWhereverTheOpsRun() throws {
        let rows = try SkipNet().traceLayers(inputShape: [2, 6, 6])
        let macs = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.macs) })
        XCTAssertEqual(macs["conv"], 36 * 4 * 2 * 9)
        XCTAssertEqual(macs["inner"], 36 * 4 * 4 * 9)
        XCTAssertEqual(macs["left"], 36 * 3 * 4)
        XCTAssertEqual(macs["fc"], 15)
        XCTAssertEqual(macs[""], 0, "the model's own add, ReLUs and concat multiply nothing")
        XCTAssertEqual(try ModelFootprint(of: SkipNet(), inputShape: [2, 6, 6]).flops, 2 * rows.reduce(0) { $0 + $1.macs })
    }

    func testWhatATraceCannotSeeIsNamed() throws {
        let model = Sequential { ("fc", Linear(4, 4)); ("secret", Opaque()); ("out", Linear(4, 2)) }
        let graph = try model.graph(inputShape: [4])
        XCTAssertEqual(graph.nodes.map(\.op.name), ["linear", "Opaque.forward", "linear"])
        XCTAssertEqual(graph.nodes[1].path, "secret")
        XCTAssertThrowsError(try graph.run(Tensor.ones([1, 4]))) { error in
            XCTAssertTrue("\(error)".contains("module \"secret\" (Opaque)"), "\(error)")
        }
        XCTAssertThrowsError(try Int8InferenceModel(model, inputShape: [4], calibration: [Tensor.ones([2, 4])])) { error in
            XCTAssertTrue("\(error)".contains("Opaque.forward in module \"secret\""), "\(error)")
        }
        let broken = Sequential { ("fc", Linear(4, 4)); ("wrong", Linear(5, 2)) }
        XCTAssertThrowsError(try broken.graph(inputShape: [4])) { error in
            XCTAssertEqual((error as? GraphError).map { "\($0)" }?.hasPrefix("tracing the forward pass failed in module \"wrong\" (Linear)"), true, "\(error)")
        }
    }
}
