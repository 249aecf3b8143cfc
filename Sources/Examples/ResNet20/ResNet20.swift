import Swiftlet

// The CIFAR-10 ResNet-20 of He et al. 2016 ("Deep Residual Learning for Image Recognition",
// section 4.2), written as a user of Swiftlet writes a model: a `Module` of their own, in
// their own code, not in the model zoo. Three stages of three basic blocks with 16, 32 and
// 64 channels on 32×32, 16×16 and 8×8 maps, global average pooling and a 64→10 classifier;
// where a block halves the map and doubles the channels, its shortcut is a strided 1×1
// convolution with BatchNorm (the paper's option B). 272,474 parameters.
//
// Names follow the usual PyTorch CIFAR ResNet (`layer1.0.conv1.weight`, `layer2.0.shortcut.0.weight`),
// so checkpoints load into the PyTorch twin in Benchmarks/peer/resnet20_cifar.py.

/// Two 3×3 convolutions with BatchNorm and a skip connection: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
public final class BasicBlock: Module {
    // `@Child` lets passes swap a convolution for its low-rank factors by path; plain
    // properties work for everything else (training, pruning, quantization, tracing).
    @Child public var conv1: Module
    public let bn1: BatchNorm
    @Child public var conv2: Module
    public let bn2: BatchNorm
    /// 1×1 convolution and BatchNorm when the block changes the shape; nil (identity) otherwise.
    public let shortcut: Sequential?

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int) {
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, stride: Size2D(stride, stride), padding: 1, bias: false)
        bn1 = BatchNorm2d(outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(outChannels)
        shortcut = stride == 1 && inChannels == outChannels ? nil : Sequential {
            Conv2d(inChannels, outChannels, kernelSize: 1, stride: Size2D(stride, stride), bias: false)
            BatchNorm2d(outChannels)
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        // `bn(z, adding: r, applyingReLU: true)` is `(bn(z) + r).relu()` in one pass over memory.
        let y = try bn1(conv1(x), applyingReLU: true)
        return try bn2(conv2(y), adding: shortcut?(x) ?? x, applyingReLU: true)
    }
}

/// ResNet-20 for 32×32 RGB images.
public final class ResNet20: Module {
    public let conv1: Conv2d
    public let bn1: BatchNorm
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential
    @Child public var fc: Module

    public init(classes: Int = 10) {
        conv1 = Conv2d(3, 16, kernelSize: 3, padding: 1, bias: false)
        bn1 = BatchNorm2d(16)
        func stage(_ inChannels: Int, _ outChannels: Int, stride: Int) -> Sequential {
            Sequential([BasicBlock(inChannels, outChannels, stride: stride), BasicBlock(outChannels, outChannels, stride: 1),
                        BasicBlock(outChannels, outChannels, stride: 1)].enumerated().map { ("\($0.offset)", $0.element) })
        }
        layer1 = stage(16, 16, stride: 1)
        layer2 = stage(16, 32, stride: 2)
        layer3 = stage(32, 64, stride: 2)
        fc = Linear(64, classes)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let features = try layer3(layer2(layer1(bn1(conv1(x), applyingReLU: true))))
        return try fc(globalAvgPool2d(features).flattened())
    }

    /// The catalog entry that makes the command line offer it as `--model resnet20`.
    public static let entry = ModelZoo.Entry(
        name: "resnet20", summary: "ResNet-20 for CIFAR-10 (He et al. 2016), the example of Sources/Examples/ResNet20",
        inputShape: [3, 32, 32]) { ResNet20() }
}
