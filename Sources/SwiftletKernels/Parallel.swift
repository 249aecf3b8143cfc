import Dispatch
import Foundation

/// How many threads the kernels may use. Defaults to the number of active cores;
/// `swiftlet --threads N` and tests set it explicitly.
public enum Parallel {
    nonisolated(unsafe) public static var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body(i)` for `i` in `0..<count`, spread over at most `threads` threads.
    /// Work items should be coarse: each call costs a few microseconds of dispatch.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// Splits `0..<count` into at most `threads` contiguous ranges and runs them in parallel.
    public static func forRanges(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = max(1, min(threads, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }
}
