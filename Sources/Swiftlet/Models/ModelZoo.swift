/// The built-in models: the source documents' networks, with the layer names of their
/// PyTorch classes so that checkpoints load into them (`conv1.weight`, `fc2.bias`, …).
public enum ModelZoo {
    /// A built-in architecture: its name, what it is, the input it expects, how to build it.
    public struct Entry: Sendable {
        /// The name commands take (`--model mnist-net`).
        public let name: String
        /// One line describing the architecture, for help texts and listings.
        public let summary: String
        /// [channels, height, width] of one input image.
        public let inputShape: [Int]
        /// Builds a fresh model, initialised from `GlobalRandom`.
        public let make: @Sendable () -> Module

        /// An architecture of your own, for `Catalog` (SwiftletCLI) to offer by name.
        public init(name: String, summary: String, inputShape: [Int], make: @escaping @Sendable () -> Module) {
            self.name = name
            self.summary = summary
            self.inputShape = inputShape
            self.make = make
        }
    }

    /// The built-in models, in the order listings show them.
    public static let entries: [Entry] = [
        Entry(name: "mnist-net", summary: "the classic PyTorch MNIST net: conv 1→10 k5, conv 10→20 k5, fc 320→50→10",
              inputShape: [1, 28, 28]) {
            Sequential {
                ("conv1", Conv2d(1, 10, kernelSize: 5)); MaxPool2d(2); ReLU()
                ("conv2", Conv2d(10, 20, kernelSize: 5)); MaxPool2d(2); ReLU()
                Flatten(); ("fc1", Linear(320, 50)); ReLU(); ("fc2", Linear(50, 10))
            }
        },
        Entry(name: "lenet300", summary: "LeNet-300-100 (Han et al. 2015): fc 784→300→100→10", inputShape: [1, 28, 28]) {
            Sequential {
                Flatten(); ("fc1", Linear(784, 300)); ReLU(); ("fc2", Linear(300, 100)); ReLU(); ("fc3", Linear(100, 10))
            }
        },
        Entry(name: "lenet5", summary: "LeNet-5, Caffe variant: conv 1→20 k5, conv 20→50 k5, fc 800→500→10", inputShape: [1, 28, 28]) {
            Sequential {
                ("conv1", Conv2d(1, 20, kernelSize: 5)); MaxPool2d(2); ReLU()
                ("conv2", Conv2d(20, 50, kernelSize: 5)); MaxPool2d(2); ReLU()
                Flatten(); ("fc1", Linear(800, 500)); ReLU(); ("fc2", Linear(500, 10))
            }
        },
        Entry(name: "mlp-128", summary: "the Keras-style MLP of seed 003: Dense(128, relu) → Dense(10)", inputShape: [1, 28, 28]) {
            Sequential { Flatten(); ("fc1", Linear(784, 128)); ReLU(); ("fc2", Linear(128, 10)) }
        },
        Entry(name: "hinton-teacher", summary: "Hinton et al. 2015 teacher: fc 784→1200→1200→10, dropout 0.2 on the input and 0.5 on the hidden units", inputShape: [1, 28, 28]) {
            Sequential {
                Flatten(); Dropout(0.2); ("fc1", Linear(784, 1200)); ReLU(); Dropout(0.5)
                ("fc2", Linear(1200, 1200)); ReLU(); Dropout(0.5); ("fc3", Linear(1200, 10))
            }
        },
        Entry(name: "hinton-student", summary: "Hinton et al. 2015 student: fc 784→800→800→10", inputShape: [1, 28, 28]) {
            Sequential {
                Flatten(); ("fc1", Linear(784, 800)); ReLU(); ("fc2", Linear(800, 800)); ReLU(); ("fc3", Linear(800, 10))
            }
        },
        Entry(name: "cifar-simplecnn", summary: "seed 004 SimpleCNN: conv 3→16 k3, conv 16→32 k3, fc 1152→120→84→10",
              inputShape: [3, 32, 32]) {
            Sequential {
                ("conv1", Conv2d(3, 16, kernelSize: 3)); ReLU(); MaxPool2d(2)
                ("conv2", Conv2d(16, 32, kernelSize: 3)); ReLU(); MaxPool2d(2)
                Flatten(); ("fc1", Linear(32 * 6 * 6, 120)); ReLU(); ("fc2", Linear(120, 84)); ReLU(); ("fc3", Linear(84, 10))
            }
        },
        Entry(name: "cifar-teacher", summary: "seed 001 CIFAR-10 teacher: conv 3→32 k3, conv 32→64 k3, fc 2304→128→10",
              inputShape: [3, 32, 32]) { cifarTeacher(hidden: 128) },
        Entry(name: "cifar-student", summary: "seed 001 student: the teacher's convolutions with fc 2304→16→10",
              inputShape: [3, 32, 32]) { cifarTeacher(hidden: 16) },
        Entry(name: "cifar-vgg", summary: "the stronger CIFAR-10 baseline: VGG-style 3×(2 conv 3×3 + BatchNorm) 32-64-128, fc 2048→10",
              inputShape: [3, 32, 32]) { cifarVGG() },
    ]

    /// The entry called `name`, or an error listing the known names.
    public static func entry(_ name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ModelZooError.unknownModel(name, known: entries.map(\.name))
        }
        return entry
    }

    /// The seed-001 teacher architecture with a given fc1 width (the document's
    /// 64·16·16 input to fc1 is a shape bug: two unpadded 3×3 convs and two pools leave 64·6·6).
    public static func cifarTeacher(hidden: Int) -> Sequential {
        Sequential {
            ("conv1", Conv2d(3, 32, kernelSize: 3)); ReLU(); MaxPool2d(2)
            ("conv2", Conv2d(32, 64, kernelSize: 3)); ReLU(); MaxPool2d(2)
            Flatten(); ("fc1", Linear(64 * 6 * 6, hidden)); ReLU(); ("fc2", Linear(hidden, 10))
        }
    }

    /// A small VGG-style network with batch normalisation: a CIFAR-10 model worth
    /// compressing (the seed recipes' nets are too small for compression to matter).
    /// Three blocks of two padded 3×3 convolutions (32, 64, 128 channels), each followed by
    /// BatchNorm and ReLU, with 2×2 max-pooling after each block, then dropout and fc 2048→10.
    public static func cifarVGG() -> Sequential {
        Sequential {
            ("conv1", Conv2d(3, 32, kernelSize: 3, padding: 1)); ("bn1", BatchNorm2d(32)); ReLU()
            ("conv2", Conv2d(32, 32, kernelSize: 3, padding: 1)); ("bn2", BatchNorm2d(32)); ReLU(); MaxPool2d(2)
            ("conv3", Conv2d(32, 64, kernelSize: 3, padding: 1)); ("bn3", BatchNorm2d(64)); ReLU()
            ("conv4", Conv2d(64, 64, kernelSize: 3, padding: 1)); ("bn4", BatchNorm2d(64)); ReLU(); MaxPool2d(2)
            ("conv5", Conv2d(64, 128, kernelSize: 3, padding: 1)); ("bn5", BatchNorm2d(128)); ReLU()
            ("conv6", Conv2d(128, 128, kernelSize: 3, padding: 1)); ("bn6", BatchNorm2d(128)); ReLU(); MaxPool2d(2)
            Flatten(); Dropout(0.3); ("fc", Linear(128 * 4 * 4, 10))
        }
    }
}
