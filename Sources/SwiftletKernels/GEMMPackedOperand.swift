/// The right operand op(B) (k×n) of `sgemm`, packed once into the panels its micro-kernels
/// read, for products that reuse it: a layer's weight at inference. `sgemm` otherwise packs
/// B at every call — for LeNet-300-100's fc1 at batch 64, 11 % of inference time.
///
/// Panels of 16 columns, each holding all k rows (column j's panel starts at j · k, the last
/// padded with zeros), so any column range on a panel boundary and any slice of k that a
/// thread takes is a set of panels at a fixed stride.
public final class GEMMPackedOperand: @unchecked Sendable {
    /// k: rows of op(B).
    public let depth: Int
    /// n: columns of op(B).
    public let columns: Int
    /// Immutable after init, so threads may read it at once (hence `Sendable`).
    let panels: UnsafeMutablePointer<Float>

    /// Packs op(B), where op(B)[p, j] is b[p · ldb + j], or b[j · ldb + p] when `transposed`.
    public init(b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, n: Int) {
        precondition(k >= 0 && n >= 0, "GEMMPackedOperand: negative size k=\(k) n=\(n)")
        precondition(k == 0 || n == 0 || ldb >= (transposed ? k : n), "GEMMPackedOperand: ldb=\(ldb) is less than the width of B")
        let width = GEMMMicroKernel.columns
        let count = max((n + width - 1) / width * width * k, 1)
        panels = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        depth = k
        columns = n
        if k > 0, n > 0 {
            GEMMPacking.packB(b, ldb: ldb, transposed: transposed, depth: 0..<k, columns: 0..<n, into: panels)
        }
    }

    deinit { panels.deallocate() }
}
