/// Why distributed training could not start or go on.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// `--distributed` (or `MPICommunicator`) in a build without the MPI trait.
    case builtWithoutMPI
    /// An MPI call returned an error code.
    case mpi(call: String, code: Int32, message: String)
    /// Some ranks did not reach a collective operation within the timeout: dead, stuck, or
    /// running something else. `rank` is the one reporting; `lost` is empty when every other
    /// rank answered the roll-call but the operation still did not finish.
    case ranksLost(rank: Int, lost: [Int], waitingFor: String, seconds: Double)
    /// The ranks do not hold the same model: parameter counts differ.
    case modelMismatch(rank: Int, scalars: Int, rootScalars: Int)
    /// The watchdog timeout is not a positive finite number of seconds.
    case invalidTimeout(Double)

    public var description: String {
        switch self {
        case .builtWithoutMPI:
            return "Swiftlet was built without MPI, so --distributed is unavailable: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) "
                + "and build with the MPI trait, `swift build -c release --traits MPI` (docs/distributed.md)"
        case let .mpi(call, code, message):
            return "\(call) failed with MPI error \(code): \(message)"
        case let .ranksLost(rank, lost, waitingFor, seconds):
            let who = lost.isEmpty ? "every rank answered, yet the operation did not complete"
                : "lost \(lost.count == 1 ? "rank" : "ranks") \(lost.map(String.init).joined(separator: ", ")) (dead or stuck)"
            return "rank \(rank): no progress in \(waitingFor) for \(Int(seconds.rounded())) s: \(who); giving up"
        case let .modelMismatch(rank, scalars, rootScalars):
            return "rank \(rank) holds a model of \(scalars) parameters and buffers, rank 0 one of \(rootScalars): every rank must train the same model"
        case let .invalidTimeout(seconds):
            return "the distributed timeout must be a positive number of seconds, got \(seconds)"
        }
    }
}
