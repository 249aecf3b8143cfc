/// One tensor of a safetensors file at the byte level: its element type, its shape and its
/// raw little-endian bytes. Independent of `Tensor`, so any code can read and write the format.
public struct SafeTensorsRecord: Equatable, Sendable {
    /// The element type, as the header spells it.
    public let dtype: SafeTensorsDType
    /// Sizes of each dimension, outermost first; `[]` is a scalar (one element).
    public let shape: [Int]
    /// Row-major element data, little-endian, `elementCount * dtype.byteCount` bytes.
    public let bytes: [UInt8]

    /// Number of elements (the product of `shape`).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Wraps raw bytes. The byte count must match the shape and dtype (a programmer error
    /// otherwise: data read from files is validated before it gets here).
    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) * dtype.byteCount == bytes.count,
                     "\(bytes.count) bytes do not hold a \(dtype.rawValue) tensor of shape \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Stores `values` as F32 (bit-exact, NaN payloads and -0.0 included), F16 or BF16
    /// (rounded to nearest even) or F64 (exact).
    public init(floats values: [Float], shape: [Int], as dtype: SafeTensorsDType = .float32) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        let bytes: [UInt8]
        switch dtype {
        case .float32: bytes = Self.littleEndianBytes(values.lazy.map(\.bitPattern))
        case .float64: bytes = Self.littleEndianBytes(values.lazy.map { Double($0).bitPattern })
        case .float16: bytes = Self.littleEndianBytes(values.lazy.map { Float16($0).bitPattern })
        case .bfloat16: bytes = Self.littleEndianBytes(values.lazy.map(Self.bfloat16Bits))
        default: preconditionFailure("\(dtype.rawValue) is not a floating-point dtype Float can be stored as")
        }
        self.init(dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Stores integers with the dtype of their Swift type (`Int32` → I32, `UInt8` → U8, `Int` → I64, …).
    public init<T: FixedWidthInteger>(integers values: [T], shape: [Int]) {
        guard let dtype = SafeTensorsDType.integer(T.self) else {
            preconditionFailure("no safetensors dtype for \(T.self)")
        }
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        self.init(dtype: dtype, shape: shape, bytes: Self.littleEndianBytes(values))
    }

    /// Stores booleans as BOOL (one byte each, 0 or 1).
    public init(bools values: [Bool], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        self.init(dtype: .bool, shape: shape, bytes: values.map { $0 ? 1 : 0 })
    }

    /// The elements as `Float` for F32 (bit-exact), F16, BF16 (exact widening) and F64
    /// (rounded); nil for any other dtype.
    public func floats() -> [Float]? {
        switch dtype {
        case .float32: return decode(UInt32.self).map(Float.init(bitPattern:))
        case .float64: return decode(UInt64.self).map { Float(Double(bitPattern: $0)) }
        case .float16: return decode(UInt16.self).map { Float(Float16(bitPattern: $0)) }
        case .bfloat16: return decode(UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }
        default: return nil
        }
    }

    /// The elements as `Int` for the signed integer dtypes, U8, U16, U32 and BOOL (0 or 1);
    /// nil for any other dtype (U64 is refused because `Int` cannot hold all of its values).
    public func integers() -> [Int]? {
        switch dtype {
        case .int8: return decode(Int8.self).map(Int.init)
        case .int16: return decode(Int16.self).map(Int.init)
        case .int32: return decode(Int32.self).map(Int.init)
        case .int64: return decode(Int64.self).map(Int.init)
        case .uint8, .bool: return bytes.map(Int.init)
        case .uint16: return decode(UInt16.self).map(Int.init)
        case .uint32: return decode(UInt32.self).map(Int.init)
        default: return nil
        }
    }

    private func decode<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let count = bytes.count / MemoryLayout<T>.size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    private static func littleEndianBytes<C: Collection>(_ values: C) -> [UInt8] where C.Element: FixedWidthInteger {
        let size = MemoryLayout<C.Element>.size
        return [UInt8](unsafeUninitializedCapacity: values.count * size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: value.littleEndian, toByteOffset: index * size, as: C.Element.self)
            }
            initialized = values.count * size
        }
    }

    /// Float → bfloat16 with round-to-nearest-even; NaNs stay NaN (quiet bit forced so the
    /// truncated payload cannot become infinity).
    private static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ roundingBias) >> 16)
    }
}
