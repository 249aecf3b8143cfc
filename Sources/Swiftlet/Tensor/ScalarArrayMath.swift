import SwiftletKernels

// Element-wise helpers on [Float], written over raw buffers so the compiler vectorises them.
// Large arrays are split over the kernel threads: a ReLU or residual add of a ResNet's
// activations is memory-bound, and on one thread it would leave the other core waiting.

extension Array where Element == Float {
    /// Adds `other` element-wise into `self`.
    mutating func add(_ other: [Float]) {
        precondition(count == other.count, "add: \(count) vs \(other.count) elements")
        let n = count
        withUnsafeMutableBufferPointer { out in
            other.withUnsafeBufferPointer { x in
                elementwiseInParallel(n) { range in for i in range { out[i] += x[i] } }
            }
        }
    }

    /// `self + other`, element-wise.
    func adding(_ other: [Float]) -> [Float] {
        precondition(count == other.count, "adding: \(count) vs \(other.count) elements")
        return withUnsafeBufferPointer { x in
            other.withUnsafeBufferPointer { y in
                .filled(count: x.count) { out in elementwiseInParallel(x.count) { range in for i in range { out[i] = x[i] + y[i] } } }
            }
        }
    }

    /// A new array of `count` elements, each produced by `body(i)`, without zero-filling first.
    @inline(__always)
    static func generate(count: Int, _ body: (Int) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = body(i) }
            initialized = count
        }
    }

    /// A new array of `count` elements filled by `fill`, which must write every element.
    @inline(__always)
    static func filled(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// `f` applied to each element (`f` must be pure: large arrays are done in parallel).
    @inline(__always)
    func mapScalars(_ f: (Float) -> Float) -> [Float] {
        withUnsafeBufferPointer { x in
            .filled(count: x.count) { out in elementwiseInParallel(x.count) { range in for i in range { out[i] = f(x[i]) } } }
        }
    }

    /// Whether no element is NaN or ±infinity. `x - x` is 0 for a finite `x` and NaN
    /// otherwise, so one branch-free 8-lane sum answers for the whole array: training checks
    /// every gradient this way once per step.
    var allFinite: Bool {
        withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            var lanes = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= x.count {
                let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
                lanes += v - v
                i += 8
            }
            var sum = lanes.sum()
            while i < x.count {
                sum += x[i] - x[i]
                i += 1
            }
            return sum == 0
        }
    }

    /// `f` applied to pairs of elements at the same index (`f` must be pure, as for `mapScalars`).
    @inline(__always)
    func zipScalars(_ other: [Float], _ f: (Float, Float) -> Float) -> [Float] {
        precondition(count == other.count, "zipScalars: \(count) vs \(other.count) elements")
        return withUnsafeBufferPointer { x in
            other.withUnsafeBufferPointer { y in
                .filled(count: x.count) { out in elementwiseInParallel(x.count) { range in for i in range { out[i] = f(x[i], y[i]) } } }
            }
        }
    }
}

/// Runs `body` over `0..<count` in one piece, or split over the kernel threads when there are
/// enough elements (64 K) to pay for waking them; elementwise work gives the same results either way.
@inline(__always)
func elementwiseInParallel(_ count: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forRanges(count, minimumChunk: 1 << 16, body)
}
