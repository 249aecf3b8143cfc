/// Packs unsigned integers of `bits` bits (1…16) densely into bytes, least significant bit
/// first: value i occupies bits [i·b, (i+1)·b) of the little-endian bit stream. Eight
/// 1-bit codes share a byte, two 4-bit codes share a byte, 8- and 16-bit codes are plain
/// (little-endian) bytes.
public enum BitPacking {
    /// ⌈count·bits / 8⌉.
    public static func byteCount(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    /// The packed bytes; every value must be below 2^bits.
    public static func pack(_ values: [UInt32], bits: Int) -> [UInt8] {
        precondition((1...16).contains(bits), "BitPacking: bits must be 1…16, got \(bits)")
        var bytes = [UInt8](repeating: 0, count: byteCount(count: values.count, bits: bits))
        var buffer: UInt64 = 0, buffered = 0, next = 0
        for value in values {
            precondition(value < 1 << UInt32(bits), "BitPacking: \(value) does not fit in \(bits) bits")
            buffer |= UInt64(value) << UInt64(buffered)
            buffered += bits
            while buffered >= 8 {
                bytes[next] = UInt8(truncatingIfNeeded: buffer)
                next += 1
                buffer >>= 8
                buffered -= 8
            }
        }
        if buffered > 0 { bytes[next] = UInt8(truncatingIfNeeded: buffer) }
        return bytes
    }

    /// `count` values of `bits` bits from packed bytes; throws if there are too few bytes.
    public static func unpack(_ bytes: [UInt8], bits: Int, count: Int) throws -> [UInt32] {
        // A count from a file may be near Int.max: check before multiplying by the width.
        guard (1...16).contains(bits), count >= 0, count <= (Int.max - 7) / bits, bytes.count == byteCount(count: count, bits: bits) else {
            throw QuantizationError.packedByteCountMismatch(count: count, bits: bits, bytes: bytes.count)
        }
        var values = [UInt32](repeating: 0, count: count)
        let mask = (UInt64(1) << UInt64(bits)) - 1
        var buffer: UInt64 = 0, buffered = 0, next = 0
        for i in 0..<count {
            while buffered < bits {
                buffer |= UInt64(bytes[next]) << UInt64(buffered)
                next += 1
                buffered += 8
            }
            values[i] = UInt32(truncatingIfNeeded: buffer & mask)
            buffer >>= UInt64(bits)
            buffered -= bits
        }
        return values
    }
}
