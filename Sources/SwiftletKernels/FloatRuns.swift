// Short contiguous runs of floats (image rows of 8–32 pixels) are the unit of work in
// im2col, col2im and pooling. `UnsafeMutablePointer.update(from:count:)` turns each into a
// memmove call, which costs more than the copy itself at these lengths.

/// Copies `count` floats from `source` to `destination` (which must not overlap) with 8-lane
/// moves; a run of 8 or more ends with one move that overlaps the previous one instead of a
/// scalar tail.
@inline(__always)
func copyRun(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    guard count >= 8 else {
        var t = 0
        if count >= 4 {
            storeHalfVector(loadHalfVector(source), destination)
            t = 4
        }
        while t < count {
            destination[t] = source[t]
            t += 1
        }
        return
    }
    var t = 0
    while t + 8 <= count {
        storeVector(loadVector(source + t), destination + t)
        t += 8
    }
    if t < count { storeVector(loadVector(source + count - 8), destination + count - 8) }
}

/// `destination[t] += source[t]` for `t` in `0..<count`.
@inline(__always)
func addRun(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    var t = 0
    while t + 8 <= count {
        storeVector(loadVector(destination + t) + loadVector(source + t), destination + t)
        t += 8
    }
    if t + 4 <= count {
        storeHalfVector(loadHalfVector(destination + t) + loadHalfVector(source + t), destination + t)
        t += 4
    }
    while t < count {
        destination[t] += source[t]
        t += 1
    }
}

/// Sets `count` floats to zero without a memset call.
@inline(__always)
func zeroRun(_ count: Int, _ destination: UnsafeMutablePointer<Float>) {
    var t = 0
    while t + 8 <= count {
        storeVector(SIMD8(), destination + t)
        t += 8
    }
    while t < count {
        destination[t] = 0
        t += 1
    }
}

/// The sum of `count` floats, accumulated in 8 lanes.
@inline(__always)
func sumRun(_ count: Int, _ source: UnsafePointer<Float>) -> Float {
    var lanes = SIMD8<Float>()
    var t = 0
    while t + 8 <= count {
        lanes += loadVector(source + t)
        t += 8
    }
    var total = lanes.sum()
    while t < count {
        total += source[t]
        t += 1
    }
    return total
}

@inline(__always)
func loadVector(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func storeVector(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always)
func loadHalfVector(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

@inline(__always)
func storeHalfVector(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
}
