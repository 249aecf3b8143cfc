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

    public let threads: Int
    public let models: [String: Model]
    /// GFLOP/s by matrix size.
    public let sgemm: [Int: Double]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The peer script beside this file, found without any environment variable.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("peer/pytorch_bench.py")

    /// Runs the peer script with `python` (which must have torch) on `models` and parses its
    /// JSON lines.
    public static func run(python: String, threads: Int, models names: [String]) throws -> PeerBenchmark {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--threads", "\(threads)", "--models"] + names
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(python): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(python) \(script.lastPathComponent) failed: \(errorText.split(separator: "\n").last ?? "exit \(process.terminationStatus)")")
        }
        var models: [String: Model] = [:]
        var sgemm: [Int: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let name = object["model"] as? String, let train = object["train_img_per_s"] as? Double,
               let infer = object["infer_img_per_s"] as? Double, let latency = object["latency_b1_us"] as? Double {
                models[name] = Model(name: name, trainImagesPerSecond: train, inferImagesPerSecond: infer, latencyMicroseconds: latency)
            } else if let n = object["sgemm"] as? Int, let gflops = object["gflops"] as? Double {
                sgemm[n] = gflops
            }
        }
        return PeerBenchmark(threads: threads, models: models, sgemm: sgemm)
    }
}
