// A box-shaped part of a larger row-major array: the one copy loop behind padding (write
// the input into the middle of the output), slicing (read a box out of the input) and
// concatenation (each input is one box of the output). Each op's backward is the opposite
// copy through the same box.

/// The elements of an `outer`-shaped array at indices `origin + i` for `i` in `size`.
struct Region {
    let outer: [Int], origin: [Int], size: [Int]

    /// The box's elements, gathered out of `values` (of shape `outer`) into a new row-major array.
    func extract(from values: [Float]) -> [Float] {
        values.withUnsafeBufferPointer { source in
            [Float].filled(count: size.elementCount) { destination in
                forEachRun { inBox, inOuter, length in
                    (destination + inBox).update(from: source.baseAddress! + inOuter, count: length)
                }
            }
        }
    }

    /// Writes `values` (of shape `size`, row-major) into the box of `destination` (of shape `outer`).
    func insert(_ values: [Float], into destination: UnsafeMutablePointer<Float>) {
        values.withUnsafeBufferPointer { source in
            forEachRun { inBox, inOuter, length in
                (destination + inOuter).update(from: source.baseAddress! + inBox, count: length)
            }
        }
    }

    /// Calls `body(offsetInBox, offsetInOuter, length)` for every contiguous run of the box, in
    /// order. Trailing dimensions the box spans completely merge into one run, so a channel
    /// block of [N, C, H, W] is copied as N runs of C·H·W elements, not N·C·H rows.
    private func forEachRun(_ body: (Int, Int, Int) -> Void) {
        guard size.elementCount > 0 else { return }
        let rank = outer.count
        guard rank > 0 else { return body(0, 0, 1) }
        var strides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * outer[d + 1] }
        // Dimensions merged into a run: `last` and everything after it.
        var last = rank - 1, length = size[last]
        while last > 0 && size[last] == outer[last] {
            last -= 1
            length *= size[last]
        }
        var outerOffset = zip(origin, strides).reduce(0) { $0 + $1.0 * $1.1 }
        var index = [Int](repeating: 0, count: last)
        var boxOffset = 0
        let total = size.elementCount
        while boxOffset < total {
            body(boxOffset, outerOffset, length)
            boxOffset += length
            // Odometer over the dimensions before `last`.
            var d = last - 1
            while d >= 0 {
                index[d] += 1
                outerOffset += strides[d]
                if index[d] < size[d] { break }
                outerOffset -= strides[d] * size[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
