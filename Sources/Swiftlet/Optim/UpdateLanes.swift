/// The optimizers' update rules run on sixteen parameters at a time. Written per element, a
/// rule's loop-invariant branches (momentum or not, weight decay or not) kept the compiler from
/// vectorising it, and the scalar loop took 17 % of a 1200-1200 MLP's training step (perf) where
/// the rule only streams its arrays once.
typealias UpdateLanes = SIMD16<Float>

/// Calls `body(start, count)` for each run of up to sixteen consecutive indices of `range`.
@inline(__always)
func forEachLaneRun(in range: Range<Int>, _ body: (_ start: Int, _ count: Int) -> Void) {
    for start in stride(from: range.lowerBound, to: range.upperBound, by: UpdateLanes.scalarCount) {
        body(start, Swift.min(UpdateLanes.scalarCount, range.upperBound - start))
    }
}

extension UnsafeBufferPointer<Float> {
    /// The `count` (at most sixteen) elements from `start`, zero-padded to sixteen lanes.
    @inline(__always)
    func lanes(from start: Int, count: Int) -> UpdateLanes {
        if count == UpdateLanes.scalarCount {
            return UnsafeRawPointer(baseAddress! + start).loadUnaligned(as: UpdateLanes.self)
        }
        var value = UpdateLanes()
        for lane in 0..<count { value[lane] = self[start + lane] }
        return value
    }
}

extension UnsafeMutableBufferPointer<Float> {
    /// The `count` (at most sixteen) elements from `start`, zero-padded to sixteen lanes.
    @inline(__always)
    func lanes(from start: Int, count: Int) -> UpdateLanes {
        UnsafeBufferPointer(self).lanes(from: start, count: count)
    }

    /// Writes the first `count` lanes of `value` to the elements from `start`.
    @inline(__always)
    func store(_ value: UpdateLanes, from start: Int, count: Int) {
        if count == UpdateLanes.scalarCount {
            UnsafeMutableRawPointer(baseAddress! + start).storeBytes(of: value, as: UpdateLanes.self)
            return
        }
        for lane in 0..<count { self[start + lane] = value[lane] }
    }
}

/// Each lane of `x`, or 0 where |x| < 2⁻¹⁰⁰. An optimizer's running averages pass through this:
/// a weight whose gradient stays 0 (a dead ReLU unit's) has its momentum decay geometrically
/// into the denormal range and stay there — 0.9 × the smallest denormal rounds back to it — and
/// on x86 every multiply touching a denormal takes a microcode assist, about 100× slower:
/// distilling an 800-800 MLP ran 4× slower than training it. A step of lr·2⁻¹⁰⁰ cannot move a
/// weight larger than about 2⁻⁷⁶, so the flush changes nothing else.
@inline(__always)
func flushingNegligible(_ x: UpdateLanes) -> UpdateLanes {
    x.replacing(with: 0, where: (x .< 0x1p-100) .& (x .> -0x1p-100))
}
