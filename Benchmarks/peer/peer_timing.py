"""How the peer scripts time a call, the way Swiftlet's `measureModel` does: two warm-up
calls, then the mean over as many calls as fit in `seconds`."""
import time


def bench(fn, seconds=3.0):
    """Mean seconds per call of `fn`."""
    fn(); fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds: fn(); n += 1
    return (time.perf_counter() - t0) / n
