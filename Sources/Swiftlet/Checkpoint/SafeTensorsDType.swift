/// Element types of the safetensors format, spelled as in the file header.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    /// IEEE binary64.
    case float64 = "F64"
    /// IEEE binary32: what Swiftlet's tensors hold.
    case float32 = "F32"
    /// IEEE binary16 (half precision).
    case float16 = "F16"
    /// bfloat16: binary32 with the mantissa cut to 7 bits.
    case bfloat16 = "BF16"
    /// 8-bit float with 4 exponent and 3 mantissa bits.
    case float8E4M3 = "F8_E4M3"
    /// 8-bit float with 5 exponent and 2 mantissa bits.
    case float8E5M2 = "F8_E5M2"
    /// Signed 64-bit integers; PyTorch writes index buffers (`num_batches_tracked`) as I64.
    case int64 = "I64"
    /// Signed 32-bit integers.
    case int32 = "I32"
    /// Signed 16-bit integers.
    case int16 = "I16"
    /// Signed 8-bit integers (quantized weights).
    case int8 = "I8"
    /// Unsigned 64-bit integers.
    case uint64 = "U64"
    /// Unsigned 32-bit integers.
    case uint32 = "U32"
    /// Unsigned 16-bit integers.
    case uint16 = "U16"
    /// Unsigned 8-bit integers (codes, packed bits).
    case uint8 = "U8"
    /// One byte per boolean (masks).
    case bool = "BOOL"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float8E4M3, .float8E5M2, .int8, .uint8, .bool: return 1
        }
    }

    /// The integer dtype with the same width and signedness as `T`, if there is one.
    static func integer<T: FixedWidthInteger>(_: T.Type) -> SafeTensorsDType? {
        switch (T.bitWidth, T.isSigned) {
        case (8, true): return .int8
        case (16, true): return .int16
        case (32, true): return .int32
        case (64, true): return .int64
        case (8, false): return .uint8
        case (16, false): return .uint16
        case (32, false): return .uint32
        case (64, false): return .uint64
        default: return nil
        }
    }
}
