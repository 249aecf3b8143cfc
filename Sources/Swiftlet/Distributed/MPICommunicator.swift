#if MPI
import CMPI
import Foundation

/// `Communicator` over MPI's world communicator: the processes `mpirun -np N` started.
///
/// Every operation is non-blocking underneath (`MPI_Ibcast`, `MPI_Iallreduce`, `MPI_Ibarrier`)
/// and waited on by polling, so that a wait can give up: after `timeout` seconds without
/// completion the rank calls a roll-call (each waiting rank tells the others it is waiting,
/// for `rollCallSeconds`), and throws `DistributedError.ranksLost` naming the ranks that did
/// not answer. The caller exits with status 1 and `mpirun` then ends the whole job.
/// Single-threaded use only (`MPI_Init`, not `MPI_Init_thread`): call it from one thread.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// Seconds a collective may wait before the missing ranks are declared lost.
    public let timeout: Double
    /// Seconds the roll-call listens for the other waiting ranks.
    public let rollCallSeconds: Double
    private let world = swiftlet_mpi_comm_world()
    private var pending: [MPI_Request?] = []

    /// Initialises MPI (once per process) and joins the world communicator. A process not
    /// started by `mpirun` is a world of one.
    public init(timeout: Double = 20, rollCallSeconds: Double = 3) throws {
        guard timeout.isFinite, timeout > 0 else { throw DistributedError.invalidTimeout(timeout) }
        self.timeout = timeout
        self.rollCallSeconds = rollCallSeconds
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 { try Self.check(MPI_Init(nil, nil), "MPI_Init") }
        // Errors come back as codes (typed errors here) instead of aborting the job inside MPI.
        try Self.check(MPI_Comm_set_errhandler(world, swiftlet_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, from root: Int, what: String) throws {
        var request: MPI_Request?
        try Self.check(MPI_Ibcast(buffer.baseAddress, try Self.count(buffer), swiftlet_mpi_float(), Int32(root), world, &request), "MPI_Ibcast")
        var requests = [request]
        try wait(for: &requests, what: what)
    }

    public func startSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        var request: MPI_Request?
        try Self.check(MPI_Iallreduce(swiftlet_mpi_in_place(), buffer.baseAddress, try Self.count(buffer), swiftlet_mpi_float(),
                                      swiftlet_mpi_sum(), world, &request), "MPI_Iallreduce")
        pending.append(request)
    }

    public func progress() throws {
        guard !pending.isEmpty else { return }
        var done: Int32 = 0
        try Self.check(MPI_Testall(Int32(pending.count), &pending, &done, swiftlet_mpi_statuses_ignore()), "MPI_Testall")
    }

    public func finishSums(what: String) throws {
        defer { pending.removeAll() }
        try wait(for: &pending, what: what)
    }

    public func barrier(what: String) throws {
        var request: MPI_Request?
        try Self.check(MPI_Ibarrier(world, &request), "MPI_Ibarrier")
        var requests = [request]
        try wait(for: &requests, what: what)
    }

    /// Leaves MPI. Every rank calls it once, at the end of a successful run; a failed run exits
    /// without it, which tells `mpirun` to end the other ranks.
    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Polls until `requests` complete, or throws `ranksLost` after `timeout` seconds. MPI moves
    /// a large message in many small steps, each inside some MPI call, so the first
    /// `spinSeconds` poll without pause (yielding the core to anyone else who needs it); after
    /// that, when the other ranks are clearly still computing, it sleeps between polls so a
    /// waiting rank does not take a core from them.
    private func wait(for requests: inout [MPI_Request?], what: String) throws {
        guard !requests.isEmpty else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        while true {
            var done: Int32 = 0
            try Self.check(MPI_Testall(Int32(requests.count), &requests, &done, swiftlet_mpi_statuses_ignore()), "MPI_Testall")
            if done != 0 { return }
            let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if waited > timeout {
                throw DistributedError.ranksLost(rank: rank, lost: lostRanks(), waitingFor: what, seconds: timeout)
            }
            if waited < Self.spinSeconds { sched_yield() } else { usleep(100) }
        }
    }

    /// How long a wait polls without sleeping.
    static let spinSeconds = 0.05

    /// The roll-call after a timeout: tells every other rank that this one is waiting, and
    /// listens for `rollCallSeconds` for theirs. Ranks stuck in the same operation time out at
    /// about the same moment and answer; a rank that never does is dead or busy elsewhere.
    private func lostRanks() -> [Int] {
        let tag: Int32 = 0x5717
        let message = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        message.pointee = rank
        // Left allocated: a send to a dead rank may never complete, and the process exits next.
        var sends: [MPI_Request?] = []
        for other in 0..<size where other != rank {
            var request: MPI_Request?
            MPI_Isend(message, 1, swiftlet_mpi_long(), Int32(other), tag, world, &request)
            sends.append(request)
        }
        var heard = Set([rank])
        let start = Date()
        while Date().timeIntervalSince(start) < rollCallSeconds, heard.count < size {
            var arrived: Int32 = 0
            var status = MPI_Status()
            guard MPI_Iprobe(MPI_ANY_SOURCE, tag, world, &arrived, &status) == MPI_SUCCESS else { break }
            guard arrived != 0 else { usleep(1000); continue }
            var answer = 0
            MPI_Recv(&answer, 1, swiftlet_mpi_long(), status.MPI_SOURCE, tag, world, swiftlet_mpi_status_ignore())
            heard.insert(Int(status.MPI_SOURCE))
        }
        return (0..<size).filter { !heard.contains($0) }
    }

    private static func count(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> Int32 {
        guard let count = Int32(exactly: buffer.count) else {
            throw DistributedError.mpi(call: "MPI (count)", code: -1, message: "\(buffer.count) elements exceed MPI's 32-bit count")
        }
        return count
    }

    private static func check(_ code: Int32, _ call: String) throws {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributedError.mpi(call: call, code: code, message: message)
    }
}
#endif

/// The world communicator of the processes `mpirun` started, waiting at most `timeout`
/// seconds in any collective. Throws `DistributedError.builtWithoutMPI` in a build without
/// the MPI trait, so callers need no `#if`.
public func openMPICommunicator(timeout: Double) throws -> any Communicator {
    #if MPI
    return try MPICommunicator(timeout: timeout)
    #else
    throw DistributedError.builtWithoutMPI
    #endif
}

/// Whether this build has the MPI binding (the package's MPI trait).
public let isBuiltWithMPI: Bool = {
    #if MPI
    return true
    #else
    return false
    #endif
}()
