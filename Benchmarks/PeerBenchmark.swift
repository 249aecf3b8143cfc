import Foundation

/// PyTorch's figures for the same models and sizes, measured by Benchmarks/peer/pytorch_bench.py
/// in the same run, so that ratios compare like with like on a noisy machine.
public struct PeerBenchmark {
    public struct Model {
        public let name: String
        public let trainImagesPerSecond: Double
        public let inferImagesPerSecond: Double
        public let latencyMicroseconds: Double
    }

    /// A factorised model against its original, both in PyTorch (`--only decompose`).
    public struct Decomposition {
        public let imagesPerSecond: Double
        public let originalImagesPerSecond: Double
        public let speedup: Double
    }

    public let threads: Int
    public let models: [String: Model]
    /// GFLOP/s by matrix size.
    public let sgemm: [Int: Double]
    /// By `decompositionKey(model:label:)`.
    public let decompositions: [String: Decomposition]

    public static func decompositionKey(model: String, label: String) -> String { "\(model): \(label)" }

    /// The peer script beside this file, found without any environment variable.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("peer/pytorch_bench.py")

    /// Runs the peer script with `python` (which must have torch) on `models` and parses its
    /// JSON lines.
    public static func run(python: String, threads: Int, models names: [String]) throws -> PeerBenchmark {
        try run(python: python, threads: threads, arguments: ["--models"] + names)
    }

    /// Runs the peer script's `--only decompose`: the factorised models of `DecompositionCase.defaults`.
    public static func runDecompositions(python: String, threads: Int) throws -> PeerBenchmark {
        try run(python: python, threads: threads, arguments: ["--only", "decompose"])
    }

    private static func run(python: String, threads: Int, arguments: [String]) throws -> PeerBenchmark {
        let printed = try runPeerScript(script, python: python, arguments: ["--threads", "\(threads)"] + arguments)
        var models: [String: Model] = [:]
        var sgemm: [Int: Double] = [:]
        var decompositions: [String: Decomposition] = [:]
        for line in printed.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let name = object["model"] as? String, let train = object["train_img_per_s"] as? Double,
               let infer = object["infer_img_per_s"] as? Double, let latency = object["latency_b1_us"] as? Double {
                models[name] = Model(name: name, trainImagesPerSecond: train, inferImagesPerSecond: infer, latencyMicroseconds: latency)
            } else if let n = object["sgemm"] as? Int, let gflops = object["gflops"] as? Double {
                sgemm[n] = gflops
            } else if let name = object["decompose"] as? String, let label = object["decomposition"] as? String,
                      let speed = object["img_per_s"] as? Double, let original = object["original_img_per_s"] as? Double,
                      let speedup = object["speedup"] as? Double {
                decompositions[decompositionKey(model: name, label: label)] =
                    Decomposition(imagesPerSecond: speed, originalImagesPerSecond: original, speedup: speedup)
            }
        }
        return PeerBenchmark(threads: threads, models: models, sgemm: sgemm, decompositions: decompositions)
    }
}
