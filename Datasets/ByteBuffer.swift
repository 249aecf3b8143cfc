/// A growable byte buffer with a stable pointer between growths, for the decompressor's
/// output: `Array` would bounds-check and uniqueness-check every byte written.
final class ByteBuffer {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0
    /// The most bytes the writer means to keep: growth stops doubling here, and the
    /// decompressor gives up once `count` passes it (a bomb must not take the memory).
    let limit: Int

    init(capacity: Int, limit: Int = .max) {
        self.limit = limit
        self.capacity = max(min(capacity, limit), 1024)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for at least `extra` more bytes after `count`.
    func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity > limit / 2 ? limit : capacity * 2, count + extra)
        let newPointer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newPointer.update(from: pointer, count: count)
        pointer.deallocate()
        pointer = newPointer
        capacity = newCapacity
    }

    /// Appends a copy of `bytes`.
    func append(_ bytes: [UInt8]) {
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { (pointer + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    /// The bytes written so far, copied into an array.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// All bytes written so far, without copying.
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: pointer, count: count) }

    /// The bytes in `range`, without copying.
    func withUnsafeBytes<R>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer + range.lowerBound, count: range.count))
    }
}
