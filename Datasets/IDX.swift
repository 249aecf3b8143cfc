import Foundation
import SwiftletKernels

/// An array stored in the IDX format (the MNIST format): two zero bytes, an element-type
/// byte, a rank byte, one big-endian 32-bit size per dimension, then the elements,
/// big-endian, in row-major order.
public struct IDXArray: Sendable {
    /// The element types IDX defines, by their type byte.
    public enum ElementType: UInt8, Sendable {
        /// uint8, int8, int16, int32, float32 and float64, with IDX's type bytes.
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// The type of each element.
    public let elementType: ElementType
    /// The size of each dimension, outermost first: [60000, 28, 28] for MNIST's training images.
    public let dimensions: [Int]
    /// The elements as stored: big-endian, row-major.
    public let data: [UInt8]

    /// Parses an IDX file's bytes, checking the magic number and that the header's
    /// dimensions account for exactly the bytes that follow.
    /// - Parameters:
    ///   - bytes: the uncompressed file.
    ///   - file: the name used in error messages.
    public init(parsing bytes: [UInt8], file: String) throws {
        self = try bytes.withUnsafeBufferPointer { try IDXArray(parsing: $0, file: file) }
    }

    /// Reads an IDX file, plain or gzip-compressed.
    public init(contentsOf url: URL) throws {
        try self.init(fileBytes: try readFileBytes(url), file: url.path)
    }

    /// Parses an IDX file's bytes, plain or gzip-compressed. Compressed data is inflated no
    /// further than the size its IDX header implies.
    /// - Parameters:
    ///   - raw: the file as read from disk.
    ///   - file: the name used in error messages.
    public init(fileBytes raw: [UInt8], file: String) throws {
        guard Gzip.isGzip(raw) else {
            try self.init(parsing: raw, file: file)
            return
        }
        // Parse straight from the decompressor's buffer: one copy of the data, not two.
        let content = try raw.withUnsafeBufferPointer { input in
            let header = try Gzip.prefix(input, count: Self.largestHeader, file: file)
            let layout = try header.withUnsafeBufferPointer { try Self.layout(of: $0, file: file) }
            return try Gzip.decompress(input, file: file, maximumLength: layout.headerSize + layout.dataBytes)
        }
        try self.init(parsing: content.buffer, file: file)
    }

    /// Magic number and 255 dimensions.
    private static let largestHeader = 4 + 4 * 255

    /// What the header at the start of `bytes` declares; throws if it is malformed, cut
    /// short, or declares more data than an `Int` can count.
    private static func layout(of bytes: UnsafeBufferPointer<UInt8>, file: String) throws
        -> (type: ElementType, dimensions: [Int], headerSize: Int, dataBytes: Int) {
        guard bytes.count >= 4 else {
            throw DatasetError(.truncated, file: file, "truncated: \(bytes.count) bytes, too short for an IDX header")
        }
        let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let magicText = "0x" + String(magic, radix: 16, uppercase: true)
        guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]), bytes[3] > 0 else {
            throw DatasetError(.badMagic, file: file, "not an IDX file: magic number \(magicText), expected two zero bytes, a type byte (0x08, 0x09, 0x0B-0x0E) and a rank above 0, such as 0x803 for MNIST images")
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DatasetError(.truncated, file: file, "truncated: the IDX header of rank \(rank) needs \(headerSize) bytes, the file has \(bytes.count)")
        }
        let dimensions = (0..<rank).map { axis in
            bytes[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) }
        }
        guard let dataBytes = ShapeArithmetic.byteCount(of: dimensions, elementBytes: type.size),
              dataBytes <= Int.max - headerSize else {
            throw DatasetError(.truncated, file: file, "truncated: header \(dimensions) of \(type) needs too many data bytes, the file has \(bytes.count - headerSize)")
        }
        return (type, dimensions, headerSize, dataBytes)
    }

    private init(parsing bytes: UnsafeBufferPointer<UInt8>, file: String) throws {
        let (type, dimensions, headerSize, expected) = try Self.layout(of: bytes, file: file)
        let payload = bytes.count - headerSize
        if expected > payload {
            throw DatasetError(.truncated, file: file, "truncated: header \(dimensions) of \(type) needs \(expected) data bytes, the file has \(payload)")
        }
        guard expected == payload else {
            throw DatasetError(.sizeMismatch, file: file, "header \(dimensions) of \(type) accounts for \(expected) data bytes, but the file has \(payload)")
        }
        elementType = type
        self.dimensions = dimensions
        data = Array(bytes[headerSize...])
    }
}
