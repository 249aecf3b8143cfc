import Foundation

/// The gzip file format (RFC 1952): a header, a DEFLATE stream, and a trailer holding the
/// CRC-32 and length (mod 2³²) of the decompressed data. Several members may follow
/// each other; their contents are concatenated, as `gunzip` does.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a whole gzip file, checking every member's CRC-32 and length.
    /// - Parameters:
    ///   - bytes: the file's bytes, one gzip member or several.
    ///   - file: the name used in error messages.
    public static func decompress(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        try bytes.withUnsafeBufferPointer { try decompress($0, file: file).bytes }
    }

    /// - Parameters:
    ///   - maximumLength: the most the content can hold — the size its own header implies (an
    ///     IDX file's), or the most its format allows; decompression stops with a
    ///     `sizeMismatch` as soon as the output passes it, so a small file cannot inflate to
    ///     gigabytes.
    ///   - limitReason: what `maximumLength` is, for the message.
    static func decompress(_ input: UnsafeBufferPointer<UInt8>, file: String, maximumLength: Int = .max,
                           limitReason: String = "the size its header implies") throws -> ByteBuffer {
        // The last member's length field is a good first guess at the output size; DEFLATE
        // cannot expand more than 1032-fold, which bounds what a damaged field can ask for.
        let sizeHint = input.count >= 18 ? min(Int(readLittleEndian32(input, input.count - 4)), input.count * 1032) : 0
        let output = ByteBuffer(capacity: sizeHint + 512, limit: maximumLength)
        do {
            try inflateMembers(input, into: output, file: file)
        } catch is InflateLimitReached {
            throw DatasetError(.sizeMismatch, file: file, "inflates past \(maximumLength) bytes, \(limitReason)")
        }
        return output
    }

    /// The first `count` bytes of the content (all of it if shorter), inflating little more
    /// than that: for reading a header that says how large the whole may be.
    static func prefix(_ input: UnsafeBufferPointer<UInt8>, count: Int, file: String) throws -> [UInt8] {
        let output = ByteBuffer(capacity: count, limit: count)
        do {
            try inflateMembers(input, into: output, file: file)
        } catch is InflateLimitReached {
            // Enough for the prefix; the rest is checked when the whole is read.
        }
        return Array(output.buffer.prefix(count))
    }

    /// Inflates every member into `output`, checking trailers; throws `InflateLimitReached`
    /// once the output passes `output.limit`.
    private static func inflateMembers(_ input: UnsafeBufferPointer<UInt8>, into output: ByteBuffer, file: String) throws {
        guard input.count >= 2, input[0] == 0x1F, input[1] == 0x8B else {
            throw DatasetError(.badMagic, file: file, "not a gzip file (it does not start with 1f 8b)")
        }
        var position = 0
        var member = 1
        repeat {
            let memberStart = output.count
            position = try skipHeader(input, from: position, member: member, file: file)
            position = try Inflater.inflate(input, from: position, into: output, file: file)
            // Inflating checks the limit when the buffer grows; the end may lie past it too.
            guard output.count <= output.limit else { throw InflateLimitReached() }
            guard position + 8 <= input.count else {
                throw DatasetError(.truncated, file: file, "truncated: the gzip trailer (CRC-32 and length) of member \(member) is missing")
            }
            let expectedCRC = readLittleEndian32(input, position)
            let expectedLength = readLittleEndian32(input, position + 4)
            position += 8
            let length = output.count - memberStart
            guard UInt32(truncatingIfNeeded: length) == expectedLength else {
                throw DatasetError(.lengthMismatch, file: file, "decompressed length \(length) does not match the \(expectedLength) recorded in the gzip trailer")
            }
            let crc = output.withUnsafeBytes(in: memberStart..<output.count) { CRC32.checksum($0) }
            guard crc == expectedCRC else {
                throw DatasetError(.crcMismatch, file: file, "CRC-32 of the decompressed data is \(hex32(crc)), the gzip trailer says \(hex32(expectedCRC))")
            }
            member += 1
            // Zero padding after the last member is tolerated, as gzip itself does.
            if input[position...].allSatisfy({ $0 == 0 }) { break }
        } while true
    }

    /// Checks a member header and returns where its DEFLATE stream starts.
    private static func skipHeader(_ input: UnsafeBufferPointer<UInt8>, from start: Int, member: Int, file: String) throws -> Int {
        let truncated = DatasetError(.truncated, file: file, "truncated: gzip header of member \(member) is incomplete")
        guard start + 10 <= input.count else { throw truncated }
        guard input[start] == 0x1F, input[start + 1] == 0x8B else {
            throw DatasetError(.badMagic, file: file, "gzip member \(member) at byte \(start) does not start with 1f 8b")
        }
        guard input[start + 2] == 8 else {
            throw DatasetError(.corruptStream, file: file, "gzip compression method \(input[start + 2]) is not deflate (8)")
        }
        let flags = input[start + 3]
        guard flags & 0xE0 == 0 else {
            throw DatasetError(.corruptStream, file: file, "gzip header has reserved flag bits set (\(flags))")
        }
        var position = start + 10
        if flags & 0x04 != 0 {  // FEXTRA: a length-prefixed extra field
            guard position + 2 <= input.count else { throw truncated }
            position += 2 + (Int(input[position]) | Int(input[position + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while position < input.count && input[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { position += 2 }  // FHCRC
        guard position < input.count else { throw truncated }
        return position
    }

    private static func readLittleEndian32(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    private static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Reads a file and decompresses it if it is gzip (recognised by its magic number, not its
/// name), so every reader accepts both `x` and `x.gz`; inflating stops past `maximumLength`.
func readMaybeCompressed(_ url: URL, maximumLength: Int = .max, limitReason: String = "the most the file may hold") throws -> [UInt8] {
    let bytes = try readFileBytes(url)
    guard Gzip.isGzip(bytes) else { return bytes }
    return try bytes.withUnsafeBufferPointer {
        try Gzip.decompress($0, file: url.path, maximumLength: maximumLength, limitReason: limitReason).bytes
    }
}
