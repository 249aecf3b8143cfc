import XCTest
@testable import Swiftlet

/// A residual net in training mode end to end against PyTorch (Fixtures/residual_net.json):
/// logits, loss, every gradient, and the parameters and BatchNorm statistics after three steps
/// of the ResNet-20 recipe's optimizer (SGD, Nesterov momentum 0.9, weight decay 5e-4). The
/// model exists only here, written as a user writes one.
final class ResidualNetEndToEndTests: XCTestCase {
    final class Block: Module {
        let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
        let shortcut: Sequential?

        init(_ inputs: Int, _ outputs: Int, stride: Int) {
            conv1 = Conv2d(inputs, outputs, kernelSize: 3, stride: Size2D(stride, stride), padding: 1, bias: false)
            bn1 = BatchNorm2d(outputs)
            conv2 = Conv2d(outputs, outputs, kernelSize: 3, padding: 1, bias: false)
            bn2 = BatchNorm2d(outputs)
            shortcut = stride == 1 && inputs == outputs ? nil
                : Sequential { Conv2d(inputs, outputs, kernelSize: 1, stride: Size2D(stride, stride), bias: false); BatchNorm2d(outputs) }
        }

        override func forward(_ x: Tensor) throws -> Tensor {
            try (bn2(conv2(bn1(conv1(x)).relu())) + (shortcut?(x) ?? x)).relu()
        }
    }

    final class ResidualNet: Module {
        let conv1 = Conv2d(3, 4, kernelSize: 3, padding: 1, bias: false)
        let bn1 = BatchNorm2d(4)
        let layer1 = Block(4, 4, stride: 1)
        let layer2 = Block(4, 8, stride: 2)
        let fc = Linear(8, 10)

        override func forward(_ x: Tensor) throws -> Tensor {
            try fc(globalAvgPool2d(layer2(layer1(bn1(conv1(x)).relu()))).flattened())
        }
    }

    func testResidualNetTrainsAsPyTorchDoes() throws {
        let c = try XCTUnwrap(loadFixtures("residual_net").first)
        let model = ResidualNet()
        let state = model.stateDict.filter { !$0.name.hasSuffix("num_batches_tracked") }
        var values = Dictionary(uniqueKeysWithValues: try state.map { ($0.name, try c.input($0.name)) })
        values.merge(model.stateDict.filter { $0.name.hasSuffix("num_batches_tracked") }.map { ($0.name, $0.tensor) }) { a, _ in a }
        try model.loadStateDict(values)

        let (x, labels) = try c.expectForwardAndBackward(of: model)

        let optimizer = SGD(model.parameters, lr: Float(try c.double("lr")), momentum: Float(try c.double("momentum")),
                            nesterov: try c.int("nesterov") == 1, weightDecay: Float(try c.double("weight_decay")))
        optimizer.step()
        for _ in 1..<(try c.int("steps")) {
            optimizer.zeroGrad()
            try crossEntropy(model(x), labels).backward()
            optimizer.step()
        }
        for (name, tensor) in state {
            try c.expect(tensor, "step3.\(name)", rtol: 1e-4, atol: 1e-5)
        }
    }
}
