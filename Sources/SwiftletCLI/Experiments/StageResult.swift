import Swiftlet
import SwiftletBenchmarks

/// The measurements of one stage of an experiment (`trained`, `pruned`, …): what
/// `--json` prints as one line and the results table shows as one row.
public struct StageResult {
    public let experiment: String
    public let stage: String
    /// Test-set top-1 accuracy, percent.
    public let accuracy: Double
    public let footprint: ModelFootprint
    /// Wall time of the stage (training, pruning or quantizing, plus its evaluation).
    public let seconds: Double
    /// Bits per stored weight, where the stage quantizes.
    public var bits: Int?
    /// Bytes as stored in the stage's format; the sparse size unless a stage says otherwise.
    public var storedBytes: Int
    /// Inference speed beside the experiment's reference model, where a stage measures it.
    public var speed: InferenceSpeedComparison?

    public init(experiment: String, stage: String, accuracy: Double, footprint: ModelFootprint, seconds: Double,
                bits: Int? = nil, storedBytes: Int? = nil, speed: InferenceSpeedComparison? = nil) {
        self.experiment = experiment
        self.stage = stage
        self.accuracy = accuracy
        self.footprint = footprint
        self.seconds = seconds
        self.bits = bits
        self.storedBytes = storedBytes ?? footprint.sparseBytes
        self.speed = speed
    }
}

extension StageResult {
    /// The `--json` line: DESIGN.md's keys, in a fixed order.
    var json: JSONObject {
        var object: JSONObject = [
            "experiment": .string(experiment), "stage": .string(stage), "accuracy": .number(accuracy, decimals: 2),
            "sparsity": .number(footprint.weightSparsity, decimals: 2), "params": .integer(footprint.nonzeroParameters),
            "size_bytes": .integer(storedBytes), "dense_bytes": .integer(footprint.denseBytes),
            "flops": .integer(footprint.nonzeroFlops), "seconds": .number(seconds, decimals: 1),
        ]
        if let bits { object["bits"] = .integer(bits) }
        if let speed {
            object["img_per_s"] = .integer(Int(speed.imagesPerSecond.rounded()))
            object["speedup"] = .number(speed.speedup, decimals: 2)
            object["flops_reduction"] = .number(speed.flopReduction, decimals: 2)
        }
        return object
    }

    /// The columns of the results table.
    static let tableHeaders = ["stage", "accuracy", "sparsity", "non-zero params", "dense fp32", "stored", "FLOPs/img", "time"]

    var tableRow: [String] {
        [stage, HumanReadable.percent(accuracy), HumanReadable.percent(footprint.weightSparsity),
         HumanReadable.count(footprint.nonzeroParameters), HumanReadable.bytes(footprint.denseBytes),
         HumanReadable.bytes(storedBytes) + (bits.map { " (\($0)-bit)" } ?? ""),
         HumanReadable.count(footprint.nonzeroFlops), HumanReadable.duration(seconds)]
    }

    /// The results table; when any stage measured its speed, with the columns img/s and
    /// "speed-up (dense FLOPs ÷)": how many times faster than the reference model, and how
    /// many times fewer dense FLOPs it has.
    static func table(_ results: [StageResult]) -> Table {
        let measured = results.contains { $0.speed != nil }
        var table = Table(headers: tableHeaders + (measured ? ["img/s", "speed-up (dense FLOPs ÷)"] : []))
        for result in results {
            let speedCells = result.speed.map {
                [HumanReadable.count(Int($0.imagesPerSecond.rounded())),
                 String(format: "%.2f× (%.2f×)", $0.speedup, $0.flopReduction)]
            } ?? ["–", "–"]
            table.append(result.tableRow + (measured ? speedCells : []))
        }
        return table
    }
}
