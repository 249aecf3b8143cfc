import Foundation
import SwiftletBenchmarks

/// The human-readable form of `swiftlet bench`: one table for sgemm, one for the models,
/// with PyTorch's figures and the ratios when a peer run is available (ratios > 1 favour
/// Swiftlet; for latency the ratio is PyTorch's time over ours).
struct BenchReport {
    let sgemm: [SGEMMMeasurement]
    let models: [ModelMeasurement]
    let peer: PeerBenchmark?
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
            var table = Table(headers: ["model", "threads", "Swiftlet"] + peerHeaders(""))
            for m in models {
                let (ours, theirs): (Double, Double?) = switch figure {
                case "train": (m.trainImagesPerSecond, peer?.models[m.model]?.trainImagesPerSecond)
                case "infer": (m.inferImagesPerSecond, peer?.models[m.model]?.inferImagesPerSecond)
                default: (m.latencyMicroseconds, peer?.models[m.model]?.latencyMicroseconds)
                }
                table.append([m.model, "\(m.threads)", HumanReadable.count(ours)]
                             + peerCells(m.threads, theirs, ours, higherIsBetter: figure != "latency"))
            }
            sections.append(title + "\n" + table.renderPlainText())
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    private func peerHeaders(_ unit: String) -> [String] {
        guard let peer else { return [] }
        return ["PyTorch (\(peer.threads) thr) \(unit)".trimmingCharacters(in: .whitespaces), "ratio"]
    }

    /// PyTorch's figure and the ratio, only on rows measured with the peer's thread count.
    private func peerCells(_ threads: Int, _ theirs: Double?, _ ours: Double, higherIsBetter: Bool) -> [String] {
        guard let peer else { return [] }
        guard threads == peer.threads, let theirs, theirs > 0, ours > 0 else { return ["", ""] }
        let ratio = higherIsBetter ? ours / theirs : theirs / ours
        return [HumanReadable.fixed(theirs, decimals: theirs < 1000 ? 1 : 0), String(format: "%.2f×", ratio)]
    }
}
