// Element-wise helpers on [Float], written over raw buffers so the compiler vectorises them.

extension Array where Element == Float {
    /// Adds `other` element-wise into `self`.
    mutating func add(_ other: [Float]) {
        precondition(count == other.count, "add: \(count) vs \(other.count) elements")
        let n = count
        withUnsafeMutableBufferPointer { out in
            other.withUnsafeBufferPointer { x in
                for i in 0..<n { out[i] += x[i] }
            }
        }
    }

    /// `self + other`, element-wise.
    func adding(_ other: [Float]) -> [Float] {
        var result = self
        result.add(other)
        return result
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

    /// `f` applied to each element.
    @inline(__always)
    func mapScalars(_ f: (Float) -> Float) -> [Float] {
        withUnsafeBufferPointer { x in .generate(count: x.count) { f(x[$0]) } }
    }

    /// `f` applied to pairs of elements at the same index.
    @inline(__always)
    func zipScalars(_ other: [Float], _ f: (Float, Float) -> Float) -> [Float] {
        precondition(count == other.count, "zipScalars: \(count) vs \(other.count) elements")
        return withUnsafeBufferPointer { x in
            other.withUnsafeBufferPointer { y in .generate(count: x.count) { f(x[$0], y[$0]) } }
        }
    }
}
