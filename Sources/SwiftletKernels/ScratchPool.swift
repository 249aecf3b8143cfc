import Synchronization

/// Scratch objects not in use, shared by every thread: a worker takes one for the length of
/// its work and gives it back, so the pool holds as many as the peak number of workers running
/// at once (callers may run kernels from several threads at once) and, after the first calls,
/// the kernels allocate nothing. The mutex is held only to pop or push.
/// `Scratch` is `Sendable` because it moves between threads; it is never used by two at once.
final class ScratchPool<Scratch: AnyObject & Sendable>: Sendable {
    private let idle = Mutex<[Scratch]>([])
    private let make: @Sendable () -> Scratch

    init(_ make: @escaping @Sendable () -> Scratch) { self.make = make }

    /// Runs `body` with a scratch object no other thread is using.
    func with<Result>(_ body: (Scratch) -> Result) -> Result {
        let scratch = idle.withLock { $0.popLast() } ?? make()
        defer { idle.withLock { $0.append(scratch) } }
        return body(scratch)
    }
}
