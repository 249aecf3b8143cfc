import Dispatch
import Swiftlet

/// How long averaging one set of gradients across ranks takes: what data parallelism adds to
/// every optimizer step when nothing overlaps it.
public struct AllreduceMeasurement: Sendable {
    /// The model whose gradients were averaged, or a label for a plain buffer.
    public let label: String
    /// Gradient scalars averaged per step.
    public let scalars: Int
    /// Ranks taking part.
    public let ranks: Int
    /// Median seconds per average (copy into buckets, allreduce, copy back).
    public let seconds: Double

    /// Gradient bytes per step.
    public var bytes: Int { 4 * scalars }
    /// Bytes each rank sends and receives in a ring allreduce, per second: 2(n−1)/n × bytes / time
    /// (NCCL's "bus bandwidth"), comparable across rank counts.
    public var busBytesPerSecond: Double { 2 * Double(ranks - 1) / Double(ranks) * Double(bytes) / seconds }

    public var jsonLine: String {
        #"{"bench": "allreduce", "model": "\#(label)", "scalars": \#(scalars), "ranks": \#(ranks), "microseconds": \#(String(format: "%.1f", seconds * 1e6)), "bus_gbit_per_s": \#(String(format: "%.2f", busBytesPerSecond * 8 / 1e9))}"#
    }
}

/// Times `DataParallel.averageGradients()` on `parameters` (gradients of ones), on every rank
/// of `communicator` together: the same fixed number of repetitions everywhere (collectives
/// must match), median of `repetitions` after two warm-ups.
public func measureAllreduce(_ label: String, parameters: [Tensor], communicator: any Communicator,
                             repetitions: Int = 30) throws -> AllreduceMeasurement {
    for parameter in parameters { parameter.grad = Tensor(repeating: 1, shape: parameter.shape) }
    let dataParallel = DataParallel(parameters: parameters, communicator: communicator)
    try communicator.barrier(what: "the start of the allreduce benchmark of \(label)")
    var times: [Double] = []
    for _ in 0..<repetitions + 2 {
        let start = DispatchTime.now().uptimeNanoseconds
        for parameter in parameters.reversed() { try dataParallel.gradientReady(parameter) }
        try dataParallel.averageGradients()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return AllreduceMeasurement(label: label, scalars: parameters.reduce(0) { $0 + $1.count }, ranks: communicator.size,
                                seconds: times.dropFirst(2).sorted()[repetitions / 2])
}
