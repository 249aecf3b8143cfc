import Foundation
import SwiftletBenchmarks

/// The human-readable form of `swiftlet bench`: one table for sgemm, one for the models,
/// with PyTorch's figures and the ratios when a peer run is available (ratios > 1 favour
/// Swiftlet; for latency the ratio is PyTorch's time over ours), and ONNX Runtime's fp32 and
/// int8 figures beside inference and latency when it was measured too.
struct BenchReport {
    let sgemm: [SGEMMMeasurement]
    let models: [ModelMeasurement]
    let peer: PeerBenchmark?
    var onnxRuntime: ONNXRuntimeBenchmark? = nil
    let only: String?

    var text: String {
        var sections: [String] = []
        if !sgemm.isEmpty {
            var table = Table(headers: ["n", "threads", "Swiftlet GFLOP/s"] + peerHeaders("GFLOP/s"))
            for m in sgemm {
                table.append(["\(m.n)", "\(m.threads)", HumanReadable.fixed(m.gflops, decimals: 1)]
                             + peerCells(m.threads, peer?.sgemm[m.n], m.gflops, higherIsBetter: true))
            }
            sections.append("sgemm\n" + table.renderPlainText())
        }
        for (figure, title) in [("train", "training img/s (batch 64)"), ("infer", "inference img/s (batch 64)"), ("latency", "batch-1 latency µs")]
        where !models.isEmpty && (only == nil || only == figure) {
            let runtime = figure == "train" ? nil : measuredRuntime
            var table = Table(headers: ["model", "threads", "Swiftlet"] + peerHeaders("")
                              + (runtime.map { ["ONNX Runtime fp32 (\($0.threads) thr)", "ratio", "ONNX Runtime int8 (\($0.threads) thr)"] } ?? []))
            for m in models {
                let (ours, theirs): (Double, Double?) = switch figure {
                case "train": (m.trainImagesPerSecond, peer?.models[m.model]?.trainImagesPerSecond)
                case "infer": (m.inferImagesPerSecond, peer?.models[m.model]?.inferImagesPerSecond)
                default: (m.latencyMicroseconds, peer?.models[m.model]?.latencyMicroseconds)
                }
                var row = [m.model, "\(m.threads)", HumanReadable.count(ours)]
                    + peerCells(m.threads, theirs, ours, higherIsBetter: figure != "latency")
                if let runtime {
                    func value(_ format: ONNXRuntimeBenchmark.Format) -> Double? {
                        runtime.figures(m.model, format).map { figure == "infer" ? $0.inferImagesPerSecond : $0.latencyMicroseconds }
                    }
                    row += m.threads != runtime.threads ? ["", "", ""]
                        : comparison(value(.fp32), ours, higherIsBetter: figure == "infer") + [value(.int8).map(Self.formatted) ?? "–"]
                }
                table.append(row)
            }
            sections.append(title + "\n" + table.renderPlainText())
        }
        if let onnxRuntime, !models.isEmpty, only == nil || only == "infer" || only == "latency" {
            sections.append(onnxRuntime.notes.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// The ONNX Runtime run, if it measured anything.
    private var measuredRuntime: ONNXRuntimeBenchmark? { onnxRuntime?.unavailable == nil ? onnxRuntime : nil }

    private func peerHeaders(_ unit: String) -> [String] {
        guard let peer else { return [] }
        return ["PyTorch (\(peer.threads) thr) \(unit)".trimmingCharacters(in: .whitespaces), "ratio"]
    }

    /// PyTorch's figure and the ratio, only on rows measured with the peer's thread count.
    private func peerCells(_ threads: Int, _ theirs: Double?, _ ours: Double, higherIsBetter: Bool) -> [String] {
        guard let peer else { return [] }
        guard threads == peer.threads else { return ["", ""] }
        return comparison(theirs, ours, higherIsBetter: higherIsBetter)
    }

    /// A peer's figure and the ratio that favours Swiftlet above 1; "–" for a figure the peer did not print.
    private func comparison(_ theirs: Double?, _ ours: Double, higherIsBetter: Bool) -> [String] {
        guard let theirs, theirs > 0, ours > 0 else { return ["–", ""] }
        let ratio = higherIsBetter ? ours / theirs : theirs / ours
        return [Self.formatted(theirs), String(format: "%.2f×", ratio)]
    }

    private static func formatted(_ figure: Double) -> String { HumanReadable.fixed(figure, decimals: figure < 1000 ? 1 : 0) }
}
