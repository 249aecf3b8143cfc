import Dispatch
import XCTest
@testable import SwiftletKernels

final class ParallelTests: XCTestCase {
    override func tearDown() {
        Parallel.threads = ProcessInfo.processInfo.activeProcessorCount
        super.tearDown()
    }

    /// Counts how often each index of `0..<count` was visited; every slot is written by
    /// exactly one call, so the counters need no synchronisation when the pool is correct.
    private func visits(_ count: Int, _ run: (UnsafeMutableBufferPointer<Int>) -> Void) -> [Int] {
        let counters = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        counters.initialize(repeating: 0)
        defer { counters.deallocate() }
        run(counters)
        return Array(counters)
    }

    func testForEachVisitsEveryIndexOnceForAnyThreadCount() {
        for threads in [1, 2, 3, 4, 2] {
            Parallel.threads = threads
            for count in [0, 1, 2, 7, 1000] {
                let seen = visits(count) { counters in Parallel.forEach(count) { counters[$0] += 1 } }
                XCTAssertEqual(seen, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
            }
        }
    }

    func testBackToBackJobsAfterTheWorkersFallAsleep() {
        Parallel.threads = 2
        for pause in [0, 3_000] {
            usleep(useconds_t(pause))
            let seen = visits(64) { counters in Parallel.forEach(64) { counters[$0] += 1 } }
            XCTAssertEqual(seen, [Int](repeating: 1, count: 64), "after a \(pause) µs pause")
        }
    }

    func testNestedCallsRunSeriallyInsideTheOuterJob() {
        Parallel.threads = 2
        let seen = visits(8 * 16) { counters in
            Parallel.forEach(8) { outer in
                XCTAssertEqual(Parallel.availableThreads, 1)
                Parallel.forEach(16) { inner in counters[outer * 16 + inner] += 1 }
            }
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: 8 * 16))
    }

    func testCallersOnOtherThreadsAllComplete() {
        Parallel.threads = 2
        let seen = visits(6 * 100) { counters in
            nonisolated(unsafe) let counters = counters  // each caller writes its own 100 counters
            DispatchQueue.concurrentPerform(iterations: 6) { caller in
                Parallel.forEach(100) { counters[caller * 100 + $0] += 1 }
            }
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: 6 * 100))
    }

    func testForRangesCoversTheRangeInOrderedChunks() {
        Parallel.threads = 3
        var ranges: [Range<Int>] = []
        let lock = NSLock()
        Parallel.forRanges(100, minimumChunk: 10) { range in
            lock.lock()
            ranges.append(range)
            lock.unlock()
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        XCTAssertEqual(ranges, [0..<33, 33..<66, 66..<100])
    }
}
