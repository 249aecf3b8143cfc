/// Writes bits most significant first into bytes: the form Huffman codes are read back in,
/// one bit at a time from the root of the code tree.
public struct BitWriter {
    /// The bytes written so far; a partly filled last byte appears after `alignToByte()`.
    public private(set) var bytes: [UInt8] = []
    private var pending: UInt8 = 0
    private var pendingBits = 0

    /// An empty writer.
    public init() {}

    /// Appends the low `count` bits of `value` (0…64), most significant first.
    public mutating func write(_ value: UInt64, bits count: Int) {
        precondition((0...64).contains(count), "BitWriter: a field has 0…64 bits, got \(count)")
        for shift in stride(from: count - 1, through: 0, by: -1) {
            pending = pending << 1 | UInt8(truncatingIfNeeded: value >> UInt64(shift) & 1)
            pendingBits += 1
            if pendingBits == 8 { flushByte() }
        }
    }

    /// Pads the last byte with zero bits so the next field starts on a byte boundary.
    public mutating func alignToByte() {
        guard pendingBits > 0 else { return }
        pending <<= UInt8(8 - pendingBits)
        flushByte()
    }

    private mutating func flushByte() {
        bytes.append(pending)
        pending = 0
        pendingBits = 0
    }
}

/// Reads what `BitWriter` wrote; throws `CompressedModelError.truncated` past the end.
public struct BitReader {
    private let bytes: [UInt8]
    /// Position in bits from the start.
    public private(set) var position = 0

    /// A reader of `bytes` starting at byte `byteOffset`.
    public init(_ bytes: [UInt8], byteOffset: Int = 0) {
        self.bytes = bytes
        position = 8 * byteOffset
    }

    /// Bytes consumed so far, counting a partly read byte as whole.
    public var byteOffset: Int { (position + 7) / 8 }

    /// The next bit (0 or 1); throws `CompressedModelError.truncated` at the end of the bytes.
    public mutating func readBit() throws -> UInt64 {
        guard position < 8 * bytes.count else { throw CompressedModelError.truncated(atByte: bytes.count) }
        let bit = UInt64(bytes[position / 8] >> UInt8(7 - position % 8) & 1)
        position += 1
        return bit
    }

    /// `count` bits (0…64) as an unsigned integer, most significant first.
    public mutating func read(bits count: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<count { value = value << 1 | (try readBit()) }
        return value
    }

    /// Skips to the next byte boundary.
    public mutating func alignToByte() {
        position = 8 * byteOffset
    }
}
