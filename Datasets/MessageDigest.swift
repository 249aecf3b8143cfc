/// The padding shared by MD5 and SHA-256 (Merkle–Damgård with 64-byte blocks): the
/// message, a 0x80 byte, zeros, and the message length in bits in the last 8 bytes.
///
/// Whole blocks are compressed straight from the caller's buffer; only the last one or
/// two padded blocks are built in a small scratch buffer.
func digestBlocks(_ message: UnsafeRawBufferPointer, bigEndianLength: Bool,
                  _ compress: (UnsafeRawPointer) -> Void) {
    let wholeBlocks = message.count / 64
    if let base = message.baseAddress {
        for block in 0..<wholeBlocks { compress(base + block * 64) }
    }
    let tailCount = message.count - wholeBlocks * 64
    let paddedCount = tailCount < 56 ? 64 : 128
    var tail = [UInt8](repeating: 0, count: paddedCount)
    for i in 0..<tailCount { tail[i] = message[wholeBlocks * 64 + i] }
    tail[tailCount] = 0x80
    let bitLength = UInt64(message.count) &* 8
    for i in 0..<8 {
        let shift = bigEndianLength ? (7 - i) * 8 : i * 8
        tail[paddedCount - 8 + i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))
    }
    tail.withUnsafeBytes { padded in
        for block in 0..<(paddedCount / 64) { compress(padded.baseAddress! + block * 64) }
    }
}

/// Lower-case hexadecimal, the way checksums are published.
public func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return text
}
