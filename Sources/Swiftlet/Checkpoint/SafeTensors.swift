import Foundation
import SwiftletFiles
import SwiftletKernels

/// A safetensors file in memory: named tensors plus string metadata.
///
/// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON
/// `{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, …}`,
/// then the data section, where each tensor's offsets are relative to the section's start and
/// the tensors tile it without gaps. Writing is deterministic: tensors and metadata keys in
/// sorted order, compact JSON, header padded with spaces to a multiple of 8 bytes.
public struct SafeTensorsFile: Equatable {
    /// The tensors by name; names are unique, so a dictionary, written in sorted order.
    public var tensors: [String: SafeTensorsRecord]
    /// The `__metadata__` string pairs: free-form notes about the file, such as the model's name.
    public var metadata: [String: String]
    /// Where the tensors came from (a path, for files read from disk); used in error messages.
    public var source: String

    /// The header key reserved for metadata.
    public static let metadataKey = "__metadata__"

    /// A file of `tensors` and `metadata`; `source` names it in error messages.
    public init(tensors: [String: SafeTensorsRecord] = [:], metadata: [String: String] = [:],
                source: String = "in-memory safetensors data") {
        self.tensors = tensors
        self.metadata = metadata
        self.source = source
    }

    /// Equal when tensors and metadata are equal, wherever they came from.
    public static func == (lhs: SafeTensorsFile, rhs: SafeTensorsFile) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata
    }

    // MARK: Reading

    /// Reads and validates the file at `url`. Throws `SafeTensorsError`.
    public static func read(from url: URL) throws -> SafeTensorsFile {
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: url.path)
        } catch let error as FileSystemError {
            throw SafeTensorsError(file: url.path, reason: .unreadable(error.reason))
        }
        return try SafeTensorsFile(decoding: bytes, source: url.path)
    }

    /// Decodes and validates the bytes of a whole file; `source` names it in errors.
    public init(decoding bytes: [UInt8], source: String) throws {
        func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError {
            SafeTensorsError(file: source, reason: reason)
        }
        guard bytes.count >= 8 else { throw fail(.fileTooShort(byteCount: bytes.count)) }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(.headerLengthExceedsFile(headerLength: headerLength, fileSize: bytes.count))
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = bytes.count - dataStart

        let header: HeaderJSON
        do {
            header = try HeaderJSON.parse(bytes[8..<dataStart])
        } catch let error as HeaderJSONError {
            throw fail(.malformedHeader(error.message))
        }
        guard case let .object(members) = header else {
            throw fail(.malformedHeader("expected a JSON object"))
        }

        var metadata: [String: String]?
        var entries: [(name: String, entry: HeaderEntry)] = []
        var seen = Set<String>()
        for (key, value) in members {
            guard seen.insert(key).inserted else {
                throw fail(key == Self.metadataKey ? .malformedHeader("\(key) appears twice") : .duplicateTensor(key))
            }
            if key == Self.metadataKey {
                metadata = try Self.parseMetadata(value, fail: fail)
            } else {
                entries.append((key, try HeaderEntry(name: key, json: value, dataSize: dataSize, fail: fail)))
            }
        }

        // Tensors must tile the data section in offset order (their order in the header is free).
        var expectedBegin = 0
        for (name, entry) in entries.sorted(by: { ($0.entry.begin, $0.entry.end) < ($1.entry.begin, $1.entry.end) }) {
            guard entry.begin == expectedBegin else {
                throw fail(.offsetsNotContiguous(tensor: name, begin: entry.begin, expectedBegin: expectedBegin))
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataSize else { throw fail(.trailingData(dataEnd: expectedBegin, dataSize: dataSize)) }

        var tensors: [String: SafeTensorsRecord] = [:]
        for (name, entry) in entries {
            let data = Array(bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            tensors[name] = SafeTensorsRecord(dtype: entry.dtype, shape: entry.shape, bytes: data)
        }
        self.init(tensors: tensors, metadata: metadata ?? [:], source: source)
    }

    private static func parseMetadata(_ json: HeaderJSON,
                                      fail: (SafeTensorsError.Reason) -> SafeTensorsError) throws -> [String: String] {
        guard case let .object(members) = json else {
            throw fail(.malformedHeader("\(metadataKey) must be an object of strings"))
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else {
                throw fail(.malformedHeader("\(metadataKey) value for \"\(key)\" must be a string"))
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw fail(.malformedHeader("\(metadataKey) key \"\(key)\" appears twice"))
            }
        }
        return metadata
    }

    // MARK: Writing

    /// The complete file contents. Throws if a tensor uses the reserved metadata name.
    public func encoded() throws -> [UInt8] {
        let sorted = tensors.sorted { $0.key < $1.key }
        if tensors[Self.metadataKey] != nil {
            throw SafeTensorsError(file: source, reason: .reservedName(Self.metadataKey))
        }
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0] ?? ""))" }
            members.append("\(JSONString.quoted(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, record) in sorted {
            let shape = record.shape.map(String.init).joined(separator: ",")
            members.append("\(JSONString.quoted(name)):{\"dtype\":\"\(record.dtype.rawValue)\",\"shape\":[\(shape)],"
                           + "\"data_offsets\":[\(offset),\(offset + record.bytes.count)]}")
            offset += record.bytes.count
        }
        var header = Array("{\(members.joined(separator: ","))}".utf8)
        // Padding keeps the data section 8-byte aligned, as the reference writer does.
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        bytes += header
        for (_, record) in sorted { bytes += record.bytes }
        return bytes
    }

    /// Writes the file atomically (see `AtomicFile`), creating parent folders.
    public func write(to url: URL) throws {
        try writeFileAtomically(try encoded(), to: url)
    }

    // MARK: Checking against a model

    /// Throws unless the file holds exactly the tensors `names`, listing every missing and
    /// every unexpected name.
    public func requireExactly<Names: Sequence<String>>(names: Names) throws {
        let expected = Set(names)
        let present = Set(tensors.keys)
        let missing = expected.subtracting(present).sorted()
        let unexpected = present.subtracting(expected).sorted()
        guard missing.isEmpty && unexpected.isEmpty else {
            throw SafeTensorsError(file: source, reason: .namesMismatch(missing: missing, unexpected: unexpected))
        }
    }

    /// The tensor `name`, checked to have `shape` when one is given.
    public func record(named name: String, shape: [Int]? = nil) throws -> SafeTensorsRecord {
        guard let record = tensors[name] else {
            throw SafeTensorsError(file: source, reason: .namesMismatch(missing: [name], unexpected: []))
        }
        if let shape, record.shape != shape {
            throw SafeTensorsError(file: source, reason: .shapeMismatch(tensor: name, shape: record.shape, expected: shape))
        }
        return record
    }

    /// The elements of tensor `name` as `Float` (from F32, F16, BF16 or F64), checked to
    /// have `shape` when one is given.
    public func floats(named name: String, shape: [Int]? = nil) throws -> [Float] {
        let record = try record(named: name, shape: shape)
        guard let values = record.floats() else {
            throw SafeTensorsError(file: source, reason: .dtypeMismatch(tensor: name, dtype: record.dtype,
                                                                        expected: "F32, F16, BF16 or F64"))
        }
        return values
    }

    /// The elements of tensor `name` as `Float`, as `floats(named:shape:)`, refusing NaN and
    /// infinity unless `allowNonFinite`: a weight that is not a number poisons every output
    /// silently, so loading one is an error unless asked for.
    public func weights(named name: String, shape: [Int]? = nil, allowNonFinite: Bool) throws -> [Float] {
        let values = try floats(named: name, shape: shape)
        if !allowNonFinite { try requireFinite(values, tensor: name, file: source) }
        return values
    }

    /// The elements of tensor `name` as `Int` (from I8…I64, U8…U32 or BOOL), checked to have
    /// `shape` when one is given.
    public func integers(named name: String, shape: [Int]? = nil) throws -> [Int] {
        let record = try record(named: name, shape: shape)
        guard let values = record.integers() else {
            throw SafeTensorsError(file: source, reason: .dtypeMismatch(tensor: name, dtype: record.dtype,
                                                                        expected: "an integer dtype or BOOL"))
        }
        return values
    }
}

/// One tensor's header entry, validated against the data section's size.
private struct HeaderEntry {
    let dtype: SafeTensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int

    init(name: String, json: HeaderJSON, dataSize: Int,
         fail: (SafeTensorsError.Reason) -> SafeTensorsError) throws {
        guard case let .object(members) = json else {
            throw fail(.malformedHeader("tensor \(name) must be an object with dtype, shape and data_offsets"))
        }
        func member(_ key: String) throws -> HeaderJSON {
            guard let value = members.first(where: { $0.key == key })?.value else {
                throw fail(.malformedHeader("tensor \(name) has no \"\(key)\""))
            }
            return value
        }
        func integers(_ key: String) throws -> [Int] {
            guard case let .array(elements) = try member(key),
                  case let values = elements.compactMap(\.nonNegativeInteger), values.count == elements.count else {
                throw fail(.malformedHeader("tensor \(name): \"\(key)\" must be an array of non-negative integers"))
            }
            return values
        }

        guard case let .string(dtypeName) = try member("dtype") else {
            throw fail(.malformedHeader("tensor \(name): \"dtype\" must be a string"))
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw fail(.unknownDType(tensor: name, dtype: dtypeName))
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else {
            throw fail(.malformedHeader("tensor \(name): \"data_offsets\" must be [begin, end]"))
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataSize else {
            throw fail(.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize))
        }
        // Overflow-checked, so a hostile shape cannot wrap around to a plausible size.
        guard let byteCount = ShapeArithmetic.byteCount(of: shape, elementBytes: dtype.byteCount) else {
            throw fail(.malformedHeader("tensor \(name): shape \(shape) is too large"))
        }
        guard byteCount == end - begin else {
            throw fail(.sizeMismatch(tensor: name, dtype: dtype, shape: shape, expectedBytes: byteCount,
                                     actualBytes: end - begin))
        }
        self.dtype = dtype
        self.shape = shape
        self.begin = begin
        self.end = end
    }
}
