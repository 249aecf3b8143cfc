import Foundation
import Synchronization

/// How many threads the kernels may use. Defaults to the number of active cores;
/// `swiftlet --threads N` and tests set it explicitly.
public enum Parallel {
    /// One setting for the whole process, unlike grad mode and the generator: it describes
    /// the machine's share of cores that every caller's kernels divide among themselves (and
    /// there is one worker pool). Atomic, so any thread may read or change it.
    public static var threads: Int {
        get { threadSetting.load(ordering: .relaxed) }
        set { threadSetting.store(newValue, ordering: .relaxed) }
    }

    private static let threadSetting = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(i)` for `i` in `0..<count`, spread over at most `threads` threads (and
    /// no more than there are cores: spinning workers must not compete for one).
    /// Starting a job costs about a microsecond while the workers are awake (they stay
    /// awake for 2 ms after each job); a call made while another job is running — for
    /// instance from inside `body` — runs serially on its own thread.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let width = min(threads, count, cores)
        guard width > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            if !WorkerPool.shared.run(count, width: width, body) {
                for i in 0..<count { body(i) }
            }
        }
    }

    /// Runs `body` with `threads` set to `count`, restoring the previous setting afterwards
    /// (for the whole process: callers on other threads see the change meanwhile).
    public static func withThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        let previous = threads
        threads = count
        defer { threads = previous }
        return try body()
    }

    /// Splits `0..<count` into at most `threads` contiguous ranges and runs them in parallel.
    public static func forRanges(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = max(1, min(threads, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        forEach(chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }

    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The threads a kernel starting now can expect: 1 while a parallel job is already
    /// running (its work would run serially), `threads` otherwise.
    static var availableThreads: Int {
        WorkerPool.shared.isBusy ? 1 : min(threads, cores)
    }
}
