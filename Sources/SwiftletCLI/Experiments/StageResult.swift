import Swiftlet

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

    public init(experiment: String, stage: String, accuracy: Double, footprint: ModelFootprint, seconds: Double,
                bits: Int? = nil, storedBytes: Int? = nil) {
        self.experiment = experiment
        self.stage = stage
        self.accuracy = accuracy
        self.footprint = footprint
        self.seconds = seconds
        self.bits = bits
        self.storedBytes = storedBytes ?? footprint.sparseBytes
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
}
