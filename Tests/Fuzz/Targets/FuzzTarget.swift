import Datasets
import Swiftlet
import SwiftletKernels

/// The readers of untrusted bytes, each as one entry function that libFuzzer
/// (`Tests/Fuzz/run-fuzzers.sh`) and the in-process test (`FuzzTargetTests`) both call.
/// Thrown errors are the expected answer to most inputs; a trap, hang or runaway allocation
/// is the bug being looked for.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A float checkpoint: safetensors decoding, then `loadPruned` into a small model and a forward pass.
    case safetensors
    /// A quantized checkpoint: decoding, `restore(into:)`, the int8 pipeline built and run.
    case quantized
    /// An IDX file, plain or gzip-compressed.
    case idx
    case gzip
    case tar
    /// A CIFAR-10 archive (tar or tar.gz) decoded into images.
    case cifar10

    /// Feeds one input to the reader; an error is a refusal, what bad bytes should get.
    public func run(_ bytes: [UInt8]) {
        _ = try? read(bytes)
    }

    /// Reads one input, throwing the reader's error (the seeds must read without one).
    public func read(_ bytes: [UInt8]) throws {
        switch self {
        case .safetensors: try Self.loadFloatCheckpoint(bytes)
        case .quantized: try Self.loadQuantizedCheckpoint(bytes)
        case .idx: _ = try IDXArray(fileBytes: bytes, file: "fuzz.idx")
        case .gzip: _ = try Gzip.decompress(bytes, file: "fuzz.gz")
        case .tar: _ = try Tar.entries(bytes, file: "fuzz.tar")
        case .cifar10: _ = try CIFAR10.loadArchive(bytes: bytes, file: "fuzz.tar.gz", name: "cifar10")
        }
    }

    /// The model the checkpoint seeds were written from (`make_seeds.py` writes its tensors):
    /// a convolution, a hidden linear layer with a ReLU, an output layer.
    public static func makeModel() -> Sequential {
        var generator = SeededRandom(seed: 0)
        return Sequential {
            ("conv1", Conv2d(1, 2, kernelSize: 3, generator: &generator)); ReLU()
            Flatten(); ("fc1", Linear(32, 8, generator: &generator)); ReLU(); ("fc2", Linear(8, 3, generator: &generator))
        }
    }

    /// Two 6×6 images for the forward passes (made for each run: a `Tensor` is not `Sendable`,
    /// so it cannot be a global shared by every thread).
    private static var images: Tensor { Tensor(shape: [2, 1, 6, 6], scalars: (0..<72).map { Float($0 % 7) / 7 - 0.4 }) }

    private static func loadFloatCheckpoint(_ bytes: [UInt8]) throws {
        let model = makeModel()
        try model.loadPruned(try SafeTensorsFile(decoding: bytes, source: "fuzz.safetensors"))
        _ = try withNoGrad { try model(images) }
    }

    private static func loadQuantizedCheckpoint(_ bytes: [UInt8]) throws {
        let checkpoint = try QuantizedCheckpoint(file: try SafeTensorsFile(decoding: bytes, source: "fuzz.safetensors"))
        let model = makeModel()
        // NaN weights allowed: the int8 pipeline must survive what --allow-non-finite lets in.
        let layers = try checkpoint.restore(into: model, allowNonFinite: true)
        model.eval()
        _ = try withNoGrad { try model(images) }
        if layers.count == 3, layers.allSatisfy({ $0.layer.quantization?.inputQuantizer != nil }) {
            _ = try Int8InferenceModel(model, inputShape: [1, 6, 6])(images)
        }
    }
}
