// The Protocol Buffers wire format, as much of it as an ONNX file needs, written from the
// specification (protobuf.dev/programming-guides/encoding): a message is a sequence of
// fields, each a tag (field number << 3 | wire type) as a varint followed by its value —
//   wire type 0: a varint (int64, int32, enums; a negative number takes ten bytes, its
//                two's complement as an unsigned 64-bit value),
//   wire type 2: a length varint, then that many bytes (strings, bytes, nested messages,
//                packed repeated numbers),
//   wire type 5: four little-endian bytes (float).
// Nested messages are encoded first and then written with their length, so the writer
// never seeks back. Fields are written in the order the caller writes them; ONNXMessages
// writes them in field-number order, as protobuf's own serializers do, so the bytes are what
// `onnx.load(…).SerializeToString()` gives back.

/// Appends protobuf fields to a byte buffer.
struct ProtobufWriter {
    enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private(set) var bytes: [UInt8] = []

    /// A varint: seven bits per byte, least significant first, the high bit set on every byte but the last.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ field: Int, _ type: WireType) {
        precondition(field > 0 && field < 1 << 29, "protobuf field numbers are 1…2²⁹−1, got \(field)")
        varint(UInt64(field) << 3 | type.rawValue)
    }

    /// An int64 (or int32, or enum) field.
    mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A float field: its IEEE bits, little-endian.
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    /// A bytes field.
    mutating func bytes(_ field: Int, _ data: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    /// A string field, UTF-8.
    mutating func string(_ field: Int, _ text: String) {
        bytes(field, Array(text.utf8))
    }

    /// An embedded message field, encoded by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }
}
