import Foundation

/// The scratch memory one `sgemm` worker needs: packed A and B blocks and, when the
/// k dimension is split across threads, a partial C. Buffers only ever grow, so after
/// the first few calls `sgemm` allocates nothing. Unchecked `Sendable`: the pool hands each
/// workspace to one thread at a time.
final class GEMMWorkspace: @unchecked Sendable {
    private var packedABuffer = GrowableFloatBuffer()
    private var packedBBuffer = GrowableFloatBuffer()
    private var partialCBuffer = GrowableFloatBuffer()

    func packedA(count: Int) -> UnsafeMutablePointer<Float> { packedABuffer.reserve(count) }
    func packedB(count: Int) -> UnsafeMutablePointer<Float> { packedBBuffer.reserve(count) }
    func partialC(count: Int) -> UnsafeMutablePointer<Float> { partialCBuffer.reserve(count) }

    private static let pool = ScratchPool { GEMMWorkspace() }

    /// Runs `body` with a workspace no other thread is using.
    static func withWorkspace<Result>(_ body: (GEMMWorkspace) -> Result) -> Result { pool.with(body) }
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
