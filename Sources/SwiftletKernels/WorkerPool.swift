import Dispatch
import Foundation
import Synchronization

/// The persistent threads behind `Parallel`.
///
/// `DispatchQueue.concurrentPerform` wakes its worker threads on every call, and on a
/// small virtual machine that wake-up costs tens of microseconds: two 100 µs halves of a
/// job took 180 µs instead of 100. These workers instead spin for a while after each job
/// (as OpenMP runtimes do), so back-to-back parallel kernels start at once; after
/// `spinDuration` without work they sleep on a condition variable and cost nothing.
///
/// One job runs at a time. A `run` call that finds the pool busy — a second thread
/// calling in, or a kernel nested inside another job — returns false and its caller
/// runs the work itself, which is what it should do when every core is already busy.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long an idle worker keeps polling for the next job before sleeping.
    static let spinDuration: UInt64 = 2_000_000  // nanoseconds

    /// Held by the thread whose job is running.
    private let busy = Atomic<Bool>(false)
    /// Bumped once per job; workers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The next unclaimed index of the current job.
    private let nextIndex = Atomic<Int>(0)
    /// Who may still join the current job: its generation, a "closed" bit, how many
    /// workers it wants and how many have joined (see `JoinState`).
    private let joinState = Atomic<Int>(0)
    /// Workers that joined the current job and have finished with it.
    private let finishedWorkers = Atomic<Int>(0)
    /// Workers blocked (or about to block) on `wakeUp`.
    private let sleepers = Atomic<Int>(0)
    private let wakeUp = NSCondition()

    // The current job. Written by the thread holding `busy` before it bumps `generation`,
    // read by workers after they observe the bump, so the atomics order every access.
    private var body: ((Int) -> Void)?
    private var count = 0
    private var workerCount = 0

    /// Whether a job is running now (so a new one would run on its caller alone).
    var isBusy: Bool { busy.load(ordering: .relaxed) }

    /// Runs `body(i)` for every `i` in `0..<count` on the calling thread and
    /// `width - 1` workers; false (having run nothing) when another job holds the pool.
    func run(_ count: Int, width: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        while workerCount < width - 1 {
            let seen = generation.load(ordering: .relaxed)
            let worker = Thread { [self] in workerLoop(lastGeneration: seen) }
            worker.name = "swiftlet-worker-\(workerCount)"
            worker.start()
            workerCount += 1
        }
        self.body = body
        self.count = count
        nextIndex.store(0, ordering: .relaxed)
        finishedWorkers.store(0, ordering: .relaxed)
        let job = generation.load(ordering: .relaxed) &+ 1
        joinState.store(JoinState.open(generation: job, wanted: width - 1), ordering: .releasing)

        // Sequentially consistent on both sides: either a worker going to sleep sees the
        // new generation, or this thread sees it among the sleepers and wakes it.
        generation.store(job, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            wakeUp.lock()
            wakeUp.broadcast()
            wakeUp.unlock()
        }
        claimIndices()
        // Close the job: a worker that has not joined by now (descheduled, or still
        // waking up) must not be waited for — every index is already claimed.
        let joined = JoinState.joined(joinState.bitwiseOr(JoinState.closed, ordering: .acquiringAndReleasing).oldValue)
        var polls = 0
        while finishedWorkers.load(ordering: .acquiring) < joined {
            // A joined worker that lost its core needs one: after a short spin, give ours.
            polls += 1
            if polls < 4096 { spinWaitHint() } else { sched_yield() }
        }
        self.body = nil
        busy.store(false, ordering: .releasing)
        return true
    }

    private func claimIndices() {
        guard let body else { return }
        while true {
            let index = nextIndex.add(1, ordering: .relaxed).oldValue
            if index >= count { return }
            body(index)
        }
    }

    private func workerLoop(lastGeneration: Int) {
        var seen = lastGeneration
        while true {
            waitForJob(after: seen)
            seen = generation.load(ordering: .acquiring)
            if join(generation: seen) {
                claimIndices()
                finishedWorkers.add(1, ordering: .releasing)
            }
        }
    }

    /// Takes a place in job `generation` if it is still open and wants more workers.
    /// A worker that finds a newer job, or none, touches none of the job's fields.
    private func join(generation: Int) -> Bool {
        var state = joinState.load(ordering: .acquiring)
        while JoinState.accepts(state, generation: generation) {
            let (exchanged, current) = joinState.compareExchange(
                expected: state, desired: state + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            state = current
        }
        return false
    }

    /// Packs a job's generation (low 31 bits), a closed flag, the number of workers it
    /// wants and the number that joined into one atomic word, so that joining is one
    /// compare-and-swap that fails for a stale or closed job.
    private enum JoinState {
        static let closed = 1 << 62
        private static let generationShift = 31, wantedShift = 16, field = (1 << 16) - 1

        static func open(generation: Int, wanted: Int) -> Int {
            (generation & 0x7FFF_FFFF) << generationShift | wanted << wantedShift
        }

        static func joined(_ state: Int) -> Int { state & field }

        static func accepts(_ state: Int, generation: Int) -> Bool {
            state & closed == 0
                && (state >> generationShift) & 0x7FFF_FFFF == generation & 0x7FFF_FFFF
                && joined(state) < (state >> wantedShift) & field
        }
    }

    private func waitForJob(after seen: Int) {
        var start: UInt64 = 0
        var polls = 0
        while generation.load(ordering: .acquiring) == seen {
            spinWaitHint()
            polls += 1
            guard polls % 64 == 0 else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            if start == 0 {
                start = now
            } else if now - start > Self.spinDuration {
                sleepUntilJob(after: seen)
                return
            }
        }
    }

    private func sleepUntilJob(after seen: Int) {
        sleepers.add(1, ordering: .sequentiallyConsistent)
        wakeUp.lock()
        while generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
        wakeUp.unlock()
        sleepers.subtract(1, ordering: .relaxed)
    }
}
