/// Throws `nonFiniteValue` naming the first NaN or infinity of tensor `name` in `file`.
func requireFinite(_ values: [Float], tensor name: String, file: String) throws {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw SafeTensorsError(file: file, reason: .nonFiniteValue(tensor: name, index: index, value: values[index]))
    }
}

/// A safetensors file that cannot be read, or that does not match what a model expects.
/// The description is one line naming the file, the tensor and what was expected.
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// What exactly is wrong, with the values that show it.
    public enum Reason: Equatable, Sendable {
        /// The file could not be opened or read (the system's reason).
        case unreadable(String)
        /// Fewer than the 8 bytes of the header-length prefix.
        case fileTooShort(byteCount: Int)
        /// The header-length prefix points past the end of the file.
        case headerLengthExceedsFile(headerLength: UInt64, fileSize: Int)
        /// The header is not a JSON object of the expected form.
        case malformedHeader(String)
        /// A dtype string the format does not define.
        case unknownDType(tensor: String, dtype: String)
        /// A tensor name the header lists twice.
        case duplicateTensor(String)
        /// `tensor` is the reserved metadata key, which cannot name a tensor.
        case reservedName(String)
        /// The shape and dtype need `expectedBytes` but the offsets span `actualBytes`.
        case sizeMismatch(tensor: String, dtype: SafeTensorsDType, shape: [Int], expectedBytes: Int, actualBytes: Int)
        /// A tensor's `data_offsets` reach outside the data section (or end before they begin).
        case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
        /// Tensors must tile the data section in order without gaps or overlaps.
        case offsetsNotContiguous(tensor: String, begin: Int, expectedBegin: Int)
        /// Bytes after the last tensor's end.
        case trailingData(dataEnd: Int, dataSize: Int)
        /// Names a model needs that the file lacks, and names the file has that the model lacks.
        case namesMismatch(missing: [String], unexpected: [String])
        /// A tensor whose shape is not the one the model's parameter has.
        case shapeMismatch(tensor: String, shape: [Int], expected: [Int])
        /// A tensor of a dtype the reader cannot use where it is (`expected` says which it can).
        case dtypeMismatch(tensor: String, dtype: SafeTensorsDType, expected: String)
        /// A weight that is NaN or infinite, refused unless the caller allows it.
        case nonFiniteValue(tensor: String, index: Int, value: Float)
        /// A value the tensor's role rules out (a scale that is not positive, a zero point
        /// outside the codes, …), said in words.
        case invalidValue(tensor: String, String)
    }

    /// The file's path, or a description such as "in-memory safetensors data".
    public let file: String
    /// What is wrong with it.
    public let reason: Reason

    /// The error for `file`, for `reason`.
    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case let .unreadable(why):
            return "cannot read \(file): \(why)"
        case let .fileTooShort(byteCount):
            return "\(file) is not a safetensors file: \(byteCount) bytes, expected at least the 8-byte header length"
        case let .headerLengthExceedsFile(headerLength, fileSize):
            return "\(file) is not a safetensors file: header length \(headerLength) exceeds the file size \(fileSize) bytes"
        case let .malformedHeader(why):
            return "\(file) has a malformed safetensors header: \(why)"
        case let .unknownDType(tensor, dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "tensor \(tensor) in \(file) has unknown dtype \"\(dtype)\", expected one of \(known)"
        case let .duplicateTensor(tensor):
            return "tensor \(tensor) appears more than once in \(file)"
        case let .reservedName(tensor):
            return "\(tensor) cannot name a tensor in \(file): the name is reserved for metadata"
        case let .sizeMismatch(tensor, dtype, shape, expectedBytes, actualBytes):
            return "tensor \(tensor) in \(file) has dtype \(dtype.rawValue) and shape \(shape), "
                + "which need \(expectedBytes) bytes, but its data_offsets span \(actualBytes)"
        case let .offsetsOutOfRange(tensor, begin, end, dataSize):
            return "tensor \(tensor) in \(file) has data_offsets [\(begin), \(end)], "
                + "expected 0 ≤ begin ≤ end ≤ \(dataSize) (the data section's size)"
        case let .offsetsNotContiguous(tensor, begin, expectedBegin):
            return "tensor \(tensor) in \(file) starts at data offset \(begin), expected \(expectedBegin) "
                + "(tensors must follow each other without gaps or overlaps)"
        case let .trailingData(dataEnd, dataSize):
            return "\(file) has \(dataSize - dataEnd) bytes after the last tensor (data section \(dataSize) bytes, "
                + "tensors end at \(dataEnd))"
        case let .namesMismatch(missing, unexpected):
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append("missing tensor\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
            }
            if !unexpected.isEmpty {
                parts.append("unexpected tensor\(unexpected.count == 1 ? "" : "s") \(unexpected.joined(separator: ", "))")
            }
            return "\(file) does not match the model: " + parts.joined(separator: "; ")
        case let .shapeMismatch(tensor, shape, expected):
            return "tensor \(tensor) has shape \(shape) in \(file), expected \(expected)"
        case let .dtypeMismatch(tensor, dtype, expected):
            return "tensor \(tensor) has dtype \(dtype.rawValue) in \(file), expected \(expected)"
        case let .nonFiniteValue(tensor, index, value):
            return "tensor \(tensor) in \(file) holds \(value) at element \(index); weights must be finite "
                + "(allow NaN and infinity explicitly with --allow-non-finite)"
        case let .invalidValue(tensor, problem):
            return "tensor \(tensor) in \(file): \(problem)"
        }
    }
}
