import Dispatch

/// Wall-clock seconds of each call of `body` on the monotonic clock, sorted, after two warm-up
/// calls: at least five calls, and as many as fit in `budget` seconds. The median ignores the
/// occasional call slowed down by another process; the first is the kernel's own speed.
func callSeconds(budget: Double, _ body: () -> Void) -> [Double] {
    body()
    body()
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    repeat {
        let before = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - before) / 1e9)
    } while times.count < 5 || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < budget
    return times.sorted()
}
