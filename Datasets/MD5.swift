import Foundation

/// MD5 (RFC 1321). Only for recognising the canonical CIFAR-10 download, whose one
/// published checksum is an MD5 of the archive; content checks use SHA-256.
public enum MD5 {
    /// The 16-byte digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476]
        state.withUnsafeMutableBufferPointer { h in
            sines.withUnsafeBufferPointer { k in
                shifts.withUnsafeBufferPointer { s in
                    digestBlocks(bytes, bigEndianLength: false) { block in compress(block, h, k, s) }
                }
            }
        }
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(8 * $0)) } }
    }

    /// The digest as lower-case hexadecimal.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hexString(hash($0)) }
    }

    private static func compress(_ block: UnsafeRawPointer, _ h: UnsafeMutableBufferPointer<UInt32>,
                                 _ k: UnsafeBufferPointer<UInt32>, _ s: UnsafeBufferPointer<UInt32>) {
        var a = h[0], b = h[1], c = h[2], d = h[3]
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) & 15
            default: f = c ^ (b | ~d); g = (7 * i) & 15
            }
            f = f &+ a &+ k[i] &+ UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
            a = d; d = c; c = b
            b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// K[i] = floor(2^32 · |sin(i + 1)|), the constants of RFC 1321.
    private static let sines: [UInt32] = (0..<64).map { UInt32(abs(sin(Double($0 + 1))) * 4_294_967_296) }
}
