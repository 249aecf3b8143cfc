import Foundation

/// The scratch memory one `sgemm` worker needs: packed A and B blocks and, when the
/// k dimension is split across threads, a partial C. Buffers only ever grow, so after
/// the first few calls `sgemm` allocates nothing.
final class GEMMWorkspace {
    private var packedABuffer = GrowableFloatBuffer()
    private var packedBBuffer = GrowableFloatBuffer()
    private var partialCBuffer = GrowableFloatBuffer()

    func packedA(count: Int) -> UnsafeMutablePointer<Float> { packedABuffer.reserve(count) }
    func packedB(count: Int) -> UnsafeMutablePointer<Float> { packedBBuffer.reserve(count) }
    func partialC(count: Int) -> UnsafeMutablePointer<Float> { partialCBuffer.reserve(count) }

    /// Workspaces not in use. One is handed to each concurrently running worker, so the
    /// pool holds as many as the peak number of simultaneous workers (callers may run
    /// `sgemm` from several threads at once).
    private static let pool = Pool()

    /// Runs `body` with a workspace no other thread is using.
    static func withWorkspace<Result>(_ body: (GEMMWorkspace) -> Result) -> Result {
        let workspace = pool.take()
        defer { pool.give(workspace) }
        return body(workspace)
    }

    private final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var idle: [GEMMWorkspace] = []

        func take() -> GEMMWorkspace {
            lock.lock()
            defer { lock.unlock() }
            return idle.popLast() ?? GEMMWorkspace()
        }

        func give(_ workspace: GEMMWorkspace) {
            lock.lock()
            defer { lock.unlock() }
            idle.append(workspace)
        }
    }
}

/// A 64-byte-aligned float buffer that is reallocated only when asked for more than it holds.
struct GrowableFloatBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<Float>?
    private var capacity = 0

    init() {}

    /// Returns room for at least `count` floats; contents are not preserved when it grows.
    mutating func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let storage, count <= capacity { return storage }
        storage?.deallocate()
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        let fresh = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        storage = fresh
        capacity = count
        return fresh
    }

    deinit { storage?.deallocate() }
}
