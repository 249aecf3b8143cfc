#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftletKernels

/// The generator used when no explicit one is given (dropout masks, default initialisation),
/// as `torch.manual_seed` seeds PyTorch's.
///
/// Each thread has its own, starting from seed 0, so a thread that seeds and draws gets the
/// same numbers whatever other threads do meanwhile. In async code a task may resume on
/// another thread after an `await`: seed and draw with no `await` in between, or pass a
/// generator of its own (every random initialiser takes a `generator:`).
public enum GlobalRandom {
    /// The calling thread's generator; `seed(_:)` restarts it.
    public static var generator: SeededRandom {
        get { ThreadGenerator.current.generator }
        _modify { yield &ThreadGenerator.current.generator }
        set { ThreadGenerator.current.generator = newValue }
    }

    /// Restarts the calling thread's sequence from `seed`.
    public static func seed(_ seed: UInt64) {
        generator = SeededRandom(seed: seed)
    }
}

/// One thread's generator, kept in POSIX thread-local storage and released when the thread
/// ends. Only its own thread ever reaches it.
private final class ThreadGenerator {
    var generator = SeededRandom(seed: 0)

    static var current: ThreadGenerator {
        if let stored = pthread_getspecific(key) {
            return Unmanaged<ThreadGenerator>.fromOpaque(stored).takeUnretainedValue()
        }
        let fresh = ThreadGenerator()
        pthread_setspecific(key, Unmanaged.passRetained(fresh).toOpaque())
        return fresh
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if os(Linux)
        let status = pthread_key_create(&key) { Unmanaged<ThreadGenerator>.fromOpaque($0!).release() }
        #else
        let status = pthread_key_create(&key) { Unmanaged<ThreadGenerator>.fromOpaque($0).release() }
        #endif
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()
}
