import Swiftlet
import SwiftletBenchmarks

/// The measurements of one stage of an experiment (`trained`, `pruned`, …): what
/// `--json` prints as one line, the results table shows as one row, and `swiftlet report`
/// reads back from a run's `results.jsonl`.
public struct StageResult: Equatable {
    public let experiment: String
    public let stage: String
    /// Test-set top-1 accuracy, percent.
    public let accuracy: Double
    /// Percent of zero weights in Linear and Conv2d weight tensors.
    public let sparsity: Double
    public let nonzeroParameters: Int
    /// Bytes as dense fp32.
    public let denseBytes: Int
    /// Bytes as stored in the stage's format; the sparse size unless a stage says otherwise.
    public let storedBytes: Int
    /// Multiply-adds ×2 per image, counting only non-zero weights.
    public let flops: Int
    /// Wall time of the stage (training, pruning or quantizing, plus its evaluation).
    public let seconds: Double
    /// Bits per stored weight, where the stage quantizes.
    public let bits: Int?
    /// Inference throughput: from the timed comparison where the stage made one, else from
    /// the test-set evaluation.
    public let imagesPerSecond: Double?
    /// How many times faster than the experiment's reference model, and how many times fewer
    /// dense FLOPs it has, where the stage timed the two against each other.
    public let speedup: Double?
    public let flopReduction: Double?
    /// Set when `accuracy` was measured on this many held-out training images (`--validation`)
    /// instead of the test set.
    public let validationImages: Int?

    public init(experiment: String, stage: String, accuracy: Double, footprint: ModelFootprint, seconds: Double,
                bits: Int? = nil, storedBytes: Int? = nil, imagesPerSecond: Double? = nil, speed: InferenceSpeedComparison? = nil,
                validationImages: Int? = nil) {
        self.experiment = experiment
        self.stage = stage
        self.accuracy = accuracy
        sparsity = footprint.weightSparsity
        nonzeroParameters = footprint.nonzeroParameters
        denseBytes = footprint.denseBytes
        self.storedBytes = storedBytes ?? footprint.sparseBytes
        flops = footprint.nonzeroFlops
        self.seconds = seconds
        self.bits = bits
        self.imagesPerSecond = speed?.imagesPerSecond ?? imagesPerSecond
        speedup = speed?.speedup
        flopReduction = speed?.flopReduction
        self.validationImages = validationImages
    }

    /// Which images `accuracy` was measured on: "test", or "validation" for a `--validation` run.
    public var evaluatedOn: String { validationImages == nil ? "test" : "validation" }

    /// How many times smaller than dense fp32 the stored form is.
    public var compressionRatio: Double { Double(denseBytes) / Double(max(storedBytes, 1)) }
}

extension StageResult: Decodable {
    /// DESIGN.md's JSON keys.
    private enum CodingKeys: String, CodingKey {
        case experiment, stage, accuracy, sparsity, params, flops, seconds, bits, speedup
        case storedBytes = "size_bytes", denseBytes = "dense_bytes", imagesPerSecond = "img_per_s", flopReduction = "flops_reduction"
        case validationImages = "validation_images"
    }

    /// Checks every number's range too: results.jsonl can be edited or damaged, and a value like
    /// `"seconds": -1e300` must be an error here, not a trap when the report formats it.
    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let finite = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        let nonNegative = 0...Double.greatestFiniteMagnitude
        experiment = try values.decode(String.self, forKey: .experiment)
        stage = try values.decode(String.self, forKey: .stage)
        accuracy = try values.decode(Double.self, forKey: .accuracy, in: 0...100)
        sparsity = try values.decode(Double.self, forKey: .sparsity, in: 0...100)
        nonzeroParameters = try values.decode(Int.self, forKey: .params, in: 0...Int.max)
        denseBytes = try values.decode(Int.self, forKey: .denseBytes, in: 0...Int.max)
        storedBytes = try values.decode(Int.self, forKey: .storedBytes, in: 0...Int.max)
        flops = try values.decode(Int.self, forKey: .flops, in: 0...Int.max)
        seconds = try values.decode(Double.self, forKey: .seconds, in: nonNegative)
        bits = try values.decodeIfPresent(Int.self, forKey: .bits, in: 1...32)
        imagesPerSecond = try values.decodeIfPresent(Double.self, forKey: .imagesPerSecond, in: nonNegative)
        speedup = try values.decodeIfPresent(Double.self, forKey: .speedup, in: nonNegative)
        flopReduction = try values.decodeIfPresent(Double.self, forKey: .flopReduction, in: finite)
        validationImages = try values.decodeIfPresent(Int.self, forKey: .validationImages, in: 1...Int.max)
    }
}

extension KeyedDecodingContainer {
    /// The value of `key`, which must lie in `range`.
    func decode<T: Decodable & Comparable>(_ type: T.Type, forKey key: Key, in range: ClosedRange<T>) throws -> T {
        let value = try decode(type, forKey: key)
        guard range.contains(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "\"\(key.stringValue)\" is \(value), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// As `decode(_:forKey:in:)`, nil when `key` is absent.
    func decodeIfPresent<T: Decodable & Comparable>(_ type: T.Type, forKey key: Key, in range: ClosedRange<T>) throws -> T? {
        try contains(key) ? decode(type, forKey: key, in: range) : nil
    }
}

extension DecodingError {
    /// One line saying what was wrong, instead of the error's structure dump.
    var reason: String {
        switch self {
        case let .keyNotFound(key, _): return "missing \"\(key.stringValue)\""
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is not \(type)"
        case let .dataCorrupted(context): return context.debugDescription
        @unknown default: return "\(self)"
        }
    }
}

extension StageResult {
    /// The `--json` line: DESIGN.md's keys, in a fixed order.
    var json: JSONObject {
        var object: JSONObject = [
            "experiment": .string(experiment), "stage": .string(stage), "accuracy": .number(accuracy, decimals: 2),
            "sparsity": .number(sparsity, decimals: 2), "params": .integer(nonzeroParameters),
            "size_bytes": .integer(storedBytes), "dense_bytes": .integer(denseBytes),
            "flops": .integer(flops), "seconds": .number(seconds, decimals: 1),
        ]
        if let bits { object["bits"] = .integer(bits) }
        if let imagesPerSecond { object["img_per_s"] = .number(imagesPerSecond, decimals: 0) }
        if let speedup { object["speedup"] = .number(speedup, decimals: 2) }
        if let flopReduction { object["flops_reduction"] = .number(flopReduction, decimals: 2) }
        if let validationImages { object["validation_images"] = .integer(validationImages) }
        return object
    }

    /// The columns of the results table.
    private static let tableHeaders = ["stage", "accuracy", "sparsity", "non-zero params", "dense fp32", "stored", "ratio",
                               "FLOPs/img", "infer img/s", "time"]

    private var tableRow: [String] {
        [stage, HumanReadable.percent(accuracy), HumanReadable.percent(sparsity),
         HumanReadable.count(nonzeroParameters), HumanReadable.bytes(denseBytes),
         HumanReadable.bytes(storedBytes) + (bits.map { " (\($0)-bit)" } ?? ""),
         HumanReadable.fixed(compressionRatio, decimals: 1) + "×",
         HumanReadable.count(flops), imagesPerSecond.map { HumanReadable.count($0) } ?? "–", HumanReadable.duration(seconds)]
    }

    /// The results table; when any stage timed itself against the reference model, with a
    /// column "speed-up (dense FLOPs ÷)": how many times faster, and how many times fewer
    /// dense FLOPs.
    static func table(_ results: [StageResult]) -> Table {
        let measured = results.contains { $0.speedup != nil }
        var table = Table(headers: tableHeaders + (measured ? ["speed-up (dense FLOPs ÷)"] : []))
        for result in results {
            var speedCell = "–"
            if let speedup = result.speedup, let reduction = result.flopReduction {
                speedCell = String(format: "%.2f× (%.2f×)", speedup, reduction)
            }
            table.append(result.tableRow + (measured ? [speedCell] : []))
        }
        return table
    }
}
