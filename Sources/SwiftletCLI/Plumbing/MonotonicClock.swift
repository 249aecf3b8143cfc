import Dispatch

/// Seconds from an arbitrary origin that never go backwards (wall-clock changes do not
/// affect it); injectable so time-dependent output can be tested.
public protocol MonotonicClock {
    func seconds() -> Double
}

/// The system's monotonic clock.
public struct SystemClock: MonotonicClock {
    public init() {}

    public func seconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
