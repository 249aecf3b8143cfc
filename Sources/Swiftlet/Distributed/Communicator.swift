/// The collective operations data-parallel training needs, across the processes ("ranks") of
/// one job: every rank calls the same operations in the same order, each with a buffer of the
/// same length.
///
/// `MPICommunicator` (built with the MPI trait) implements it over MPI; tests use their own.
/// Every wait is bounded: a rank that does not take part in time makes the others throw
/// `DistributedError.ranksLost` rather than hang.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< `size`; rank 0 prints progress and writes checkpoints.
    var rank: Int { get }
    /// How many processes take part.
    var size: Int { get }
    /// Overwrites `buffer` on every rank with rank `root`'s. Blocks until done; `what` names
    /// the data in errors ("the initial weights").
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, from root: Int, what: String) throws
    /// Starts replacing `buffer` on every rank by the element-wise sum over ranks, without
    /// waiting: the buffer must stay allocated and untouched until `finishSums` returns.
    func startSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Lets the started sums advance without blocking (MPI moves data only inside its calls).
    func progress() throws
    /// Blocks until every started sum is complete; `what` names them in errors.
    func finishSums(what: String) throws
    /// Blocks until every rank has called it.
    func barrier(what: String) throws
    /// Ends this process's part in the job, after its last collective operation. A run that
    /// fails skips it, which tells the launcher (`mpirun`) to end the other ranks.
    func finalize()
}
