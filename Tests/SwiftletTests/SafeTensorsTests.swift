import Foundation
import XCTest
@testable import Swiftlet

final class SafeTensorsTests: XCTestCase {
    // MARK: Exact bytes

    /// A file built byte by byte from the format description, independent of the writer.
    func testEncodingMatchesHandBuiltBytes() throws {
        let header = #"{"__metadata__":{"format":"pt"},"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""steps":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}"#
        XCTAssertEqual(header.utf8.count, 145)
        let expected: [UInt8] = [0x98, 0, 0, 0, 0, 0, 0, 0]  // 145 header bytes + 7 spaces = 152
            + Array(header.utf8) + Array(repeating: 0x20, count: 7)
            + [0x00, 0x00, 0x80, 0x3F]  // 1.0
            + [0x00, 0x00, 0x00, 0x80]  // -0.0
            + [0x07, 0, 0, 0, 0, 0, 0, 0]  // 7 as I64

        let file = SafeTensorsFile(tensors: ["steps": SafeTensorsRecord(integers: [Int64(7)], shape: []),
                                             "bias": SafeTensorsRecord(floats: [1.0, -0.0], shape: [2])],
                                   metadata: ["format": "pt"])
        XCTAssertEqual(try file.encoded(), expected)

        let decoded = try SafeTensorsFile(decoding: expected, source: "hand-built")
        XCTAssertEqual(decoded, file)
        XCTAssertEqual(try decoded.floats(named: "bias").map(\.bitPattern), [0x3F80_0000, 0x8000_0000])
        XCTAssertEqual(try decoded.integers(named: "steps", shape: []), [7])
    }

    /// The committed fixture pins the writer's output; `Tests/python/safetensors_crosscheck.py`
    /// checks that PyTorch's safetensors loads the same file.
    func testEncodingMatchesCommittedSwiftFixture() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/safetensors/swift_written", withExtension: "safetensors"))
        XCTAssertEqual(try Self.crossCheckFile().encoded(), [UInt8](try Data(contentsOf: url)))
        XCTAssertEqual(try SafeTensorsFile.read(from: url), Self.crossCheckFile())
    }

    /// Written by PyTorch's safetensors (`Tests/python/safetensors_crosscheck.py write`).
    func testReadsFileWrittenByPython() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/safetensors/python_written", withExtension: "safetensors"))
        let file = try SafeTensorsFile.read(from: url)
        try file.requireExactly(names: ["weight", "half", "brain", "counts", "index", "mask", "bytes"])
        XCTAssertEqual(file.metadata, ["producer": "torch", "note": "quote \" and é"])
        XCTAssertEqual(try file.floats(named: "weight", shape: [2, 3]), [0, 1, 2, 3, 4, 5].map { Float($0) / 4 - 0.5 })
        XCTAssertEqual(try file.floats(named: "half", shape: [3]), [1.5, -2, 65504])
        XCTAssertEqual(try file.floats(named: "brain", shape: [2]), [1, -3.5])
        XCTAssertEqual(try file.integers(named: "counts", shape: [2, 2]), [-1, 2, -3, 2_147_483_647])
        XCTAssertEqual(try file.integers(named: "index", shape: [3]), [0, -5, 1 << 40])
        XCTAssertEqual(try file.integers(named: "mask", shape: [4]), [1, 0, 0, 1])
        XCTAssertEqual(try file.integers(named: "bytes", shape: [3]), [0, 128, 255])
        XCTAssertEqual(file.tensors["mask"]?.dtype, .bool)
        XCTAssertEqual(file.tensors["brain"]?.dtype, .bfloat16)
    }

    /// The tensors `Tests/python/safetensors_crosscheck.py check` expects in `swift_written.safetensors`.
    static func crossCheckFile() -> SafeTensorsFile {
        let special: [Float] = [0, -0.0, .infinity, -.infinity, Float(bitPattern: 0x7FC0_0001),
                                Float(bitPattern: 0xFF80_0001), .leastNonzeroMagnitude, 3.25]
        return SafeTensorsFile(tensors: [
            "conv1.weight": SafeTensorsRecord(floats: (0..<24).map { Float($0) * 0.125 - 1 }, shape: [2, 3, 2, 2]),
            "special": SafeTensorsRecord(floats: special, shape: [8]),
            "half": SafeTensorsRecord(floats: [1, -2.5, 65504], shape: [3], as: .float16),
            "brain": SafeTensorsRecord(floats: [1, -3.5], shape: [2], as: .bfloat16),
            "double": SafeTensorsRecord(floats: [0.1], shape: [1], as: .float64),
            "labels": SafeTensorsRecord(integers: [Int64(-3), 1 << 40], shape: [2]),
            "counts": SafeTensorsRecord(integers: [Int32(-7), 9], shape: [1, 2]),
            "small": SafeTensorsRecord(integers: [Int8(-128), 127], shape: [2]),
            "pixels": SafeTensorsRecord(integers: [UInt8(0), 200, 255], shape: [3]),
            "mask": SafeTensorsRecord(bools: [true, false, true], shape: [3]),
            "empty": SafeTensorsRecord(floats: [], shape: [0, 4]),
        ], metadata: ["producer": "swiftlet", "epochs": "10"])
    }

    // MARK: Round trips

    func testRoundTripIsBitIdenticalForEveryDType() throws {
        var generator = SystemRandomNumberGenerator()
        var tensors: [String: SafeTensorsRecord] = [:]
        for dtype in SafeTensorsDType.allCases {
            let shape = [3, 5]
            let bytes = (0..<(15 * dtype.byteCount)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            tensors["t.\(dtype.rawValue)"] = SafeTensorsRecord(dtype: dtype, shape: shape, bytes: bytes)
        }
        tensors["scalar"] = SafeTensorsRecord(floats: [42], shape: [])
        tensors["special"] = Self.crossCheckFile().tensors["special"]
        let original = SafeTensorsFile(tensors: tensors, metadata: ["k": "v\n\"\\ é 🙂", "empty": ""])

        let url = temporaryDirectory().appendingPathComponent("nested/dir/model.safetensors")
        try original.write(to: url)
        let reread = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(reread, original)
        XCTAssertEqual(reread.source, url.path)
        XCTAssertEqual(try reread.floats(named: "special").map(\.bitPattern),
                       try original.floats(named: "special").map(\.bitPattern))
    }

    func testWritingIsDeterministicWhateverTheInsertionOrder() throws {
        let records = Self.crossCheckFile().tensors.sorted { $0.key < $1.key }
        var forward = SafeTensorsFile(metadata: ["a": "1", "b": "2", "c": "3"])
        var backward = SafeTensorsFile(metadata: ["c": "3", "a": "1", "b": "2"])
        for (name, record) in records { forward.tensors[name] = record }
        for (name, record) in records.reversed() { backward.tensors[name] = record }
        XCTAssertEqual(try forward.encoded(), try backward.encoded())
    }

    func testHeaderIsPaddedToEightBytes() throws {
        for nameLength in 1...9 {
            let name = String(repeating: "x", count: nameLength)
            let bytes = try SafeTensorsFile(tensors: [name: SafeTensorsRecord(integers: [UInt8(1)], shape: [1])]).encoded()
            let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
            XCTAssertEqual(headerLength % 8, 0)
            XCTAssertEqual(bytes.count, 8 + headerLength + 1)
        }
    }

    func testReaderAcceptsAnyHeaderOrderWhitespaceAndExtraKeys() throws {
        let header = #"  { "b" : {"shape":[1], "data_offsets":[4,8], "dtype":"I32", "extra": [-0.5e+3, 0, 1E2, true]},"#
            + #" "a": {"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "__metadata__": {"x\u00e9\ud83d\ude42": "\/"} }   "#
        let file = try SafeTensorsFile(decoding: Self.fileBytes(header: header, data: [0, 0, 0x80, 0x3F, 5, 0, 0, 0]),
                                       source: "test")
        XCTAssertEqual(try file.floats(named: "a"), [1])
        XCTAssertEqual(try file.integers(named: "b"), [5])
        XCTAssertEqual(file.metadata, ["xé🙂": "/"])
    }

    // MARK: Conversions

    func testHalfPrecisionConversionsRoundToNearestEven() {
        let half = SafeTensorsRecord(floats: [1, -2, 65504, 1.0 / 3], shape: [4], as: .float16)
        XCTAssertEqual(half.bytes, [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x55, 0x35])

        // 0x3F808000 lies exactly between two bfloat16 values: ties go to the even one (0x3F80);
        // 0x3F818000 ties to 0x3F82; 0x3F808001 is just above the midpoint.
        let inputs: [UInt32] = [0x3F80_0000, 0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x7F80_0000, 0x7F80_0001]
        let brain = SafeTensorsRecord(floats: inputs.map(Float.init(bitPattern:)), shape: [6], as: .bfloat16)
        XCTAssertEqual(brain.bytes, [0x80, 0x3F, 0x80, 0x3F, 0x82, 0x3F, 0x81, 0x3F, 0x80, 0x7F, 0xC0, 0x7F])
        XCTAssertEqual(brain.floats()?.prefix(5), [1, 1, Float(bitPattern: 0x3F82_0000), Float(bitPattern: 0x3F81_0000), .infinity])
        XCTAssertTrue(brain.floats()?.last?.isNaN ?? false)
    }

    func testIntegerRecordsUseTheMatchingDType() {
        XCTAssertEqual(SafeTensorsRecord(integers: [Int(-1)], shape: [1]).dtype, .int64)
        XCTAssertEqual(SafeTensorsRecord(integers: [UInt16(1)], shape: [1]).dtype, .uint16)
        XCTAssertEqual(SafeTensorsRecord(integers: [Int32(-2)], shape: [1]).bytes, [0xFE, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(SafeTensorsRecord(integers: [UInt64.max], shape: [1]).integers(), nil)
        XCTAssertEqual(SafeTensorsRecord(integers: [Int32(-2)], shape: [1]).floats(), nil)
    }

    // MARK: Bad input

    func testRejectsFileShorterThanTheLengthPrefix() {
        assertRejects([1, 2, 3], .fileTooShort(byteCount: 3), mentioning: ["3 bytes", "8-byte"])
    }

    func testRejectsHeaderLongerThanTheFile() {
        assertRejects([100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
                      .headerLengthExceedsFile(headerLength: 100, fileSize: 10), mentioning: ["100", "10 bytes"])
        assertRejects([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                      .headerLengthExceedsFile(headerLength: .max, fileSize: 8), mentioning: ["18446744073709551615"])
    }

    func testRejectsMalformedHeaders() {
        let cases: [(header: String, message: String)] = [
            (#"{"a":"#, "unexpected end of header"),
            (#"[1, 2]"#, "expected a JSON object"),
            (#"{"a": {"dtype": "F32", "shape": [1]}}"#, "tensor a has no \"data_offsets\""),
            (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0.5, 4]}}"#, "non-negative integers"),
            (#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "non-negative integers"),
            (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 4]}}"#, "[begin, end]"),
            (#"{"a": {"dtype": 3, "shape": [1], "data_offsets": [0, 4]}}"#, "\"dtype\" must be a string"),
            (#"{"a": 5}"#, "tensor a must be an object"),
            (#"{"__metadata__": {"k": 1}}"#, "value for \"k\" must be a string"),
            (#"{"__metadata__": [], "a": 1}"#, "__metadata__ must be an object"),
            (#"{"__metadata__": {"k": "1", "k": "2"}}"#, "key \"k\" appears twice"),
            (#"{} {}"#, "unexpected text after the JSON value"),
            (#"{"a": "\x"}"#, "invalid escape"),
            (#"{"a": 01}"#, "malformed number \"01\""),
            (#"{"a": 1.}"#, "malformed number \"1.\""),
            (#"{"a": -}"#, "malformed number \"-\""),
            (#"{"a": 1e+}"#, "malformed number \"1e+\""),
            ("{\"a\": \"tab\there\"}", "unescaped control character"),
            (#"{"a": {"dtype": "F32", "shape": [99999999999, 99999999999], "data_offsets": [0, 4]}}"#, "too large"),
        ]
        for (header, message) in cases {
            let bytes = Self.fileBytes(header: header, data: Array(repeating: 0, count: 4))
            XCTAssertThrowsError(try SafeTensorsFile(decoding: bytes, source: "bad.safetensors"), header) { error in
                guard let error = error as? SafeTensorsError, case .malformedHeader = error.reason else {
                    return XCTFail("\(header): unexpected \(error)")
                }
                XCTAssertTrue(error.description.contains(message), "\(header): \(error)")
                XCTAssertTrue(error.description.contains("bad.safetensors"), "\(error)")
            }
        }
    }

    func testRejectsUnknownDType() {
        assertRejects(header: #"{"w": {"dtype": "F128", "shape": [1], "data_offsets": [0, 16]}}"#, dataSize: 16,
                      .unknownDType(tensor: "w", dtype: "F128"), mentioning: ["tensor w", "\"F128\"", "F32"])
    }

    func testRejectsShapeThatDoesNotMatchTheOffsets() {
        assertRejects(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, dataSize: 8,
                      .sizeMismatch(tensor: "w", dtype: .float32, shape: [3], expectedBytes: 12, actualBytes: 8),
                      mentioning: ["tensor w", "[3]", "12 bytes", "span 8"])
    }

    func testRejectsOffsetsOutOfRange() {
        assertRejects(header: #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#, dataSize: 8,
                      .offsetsOutOfRange(tensor: "w", begin: 0, end: 16, dataSize: 8), mentioning: ["tensor w", "[0, 16]"])
        assertRejects(header: #"{"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}}"#, dataSize: 8,
                      .offsetsOutOfRange(tensor: "w", begin: 8, end: 4, dataSize: 8), mentioning: ["[8, 4]"])
    }

    func testRejectsOverlappingTensors() {
        let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},"#
            + #" "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
        assertRejects(header: header, dataSize: 12, .offsetsNotContiguous(tensor: "b", begin: 4, expectedBegin: 8),
                      mentioning: ["tensor b", "offset 4", "expected 8"])
    }

    func testRejectsGapsBetweenTensors() {
        let header = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},"#
            + #" "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}"#
        assertRejects(header: header, dataSize: 12, .offsetsNotContiguous(tensor: "b", begin: 8, expectedBegin: 4),
                      mentioning: ["tensor b"])
        assertRejects(header: #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, dataSize: 8,
                      .offsetsNotContiguous(tensor: "a", begin: 4, expectedBegin: 0), mentioning: ["tensor a"])
    }

    func testRejectsBytesAfterTheLastTensor() {
        assertRejects(header: #"{"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}"#, dataSize: 6,
                      .trailingData(dataEnd: 4, dataSize: 6), mentioning: ["2 bytes after the last tensor"])
    }

    func testRejectsDuplicateTensorNames() {
        let header = #"{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},"#
            + #" "a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}"#
        assertRejects(header: header, dataSize: 2, .duplicateTensor("a"), mentioning: ["tensor a appears more than once"])
    }

    func testRejectsUnreadableFile() {
        let url = temporaryDirectory().appendingPathComponent("missing.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.read(from: url)) { error in
            guard let error = error as? SafeTensorsError, case .unreadable = error.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(error.description, "cannot read \(url.path): no such file or directory")
        }
    }

    func testRefusesToWriteTheReservedName() {
        let file = SafeTensorsFile(tensors: ["__metadata__": SafeTensorsRecord(bools: [true], shape: [1])])
        XCTAssertThrowsError(try file.encoded()) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.reason, .reservedName("__metadata__"))
        }
    }

    // MARK: Checking against a model

    func testRequireExactlyListsMissingAndUnexpectedNames() throws {
        let file = Self.crossCheckFile()
        XCTAssertNoThrow(try file.requireExactly(names: file.tensors.keys))
        var names = Set(file.tensors.keys)
        names.remove("mask")
        names.remove("small")
        names.insert("fc1.bias")
        XCTAssertThrowsError(try file.requireExactly(names: names)) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.reason, .namesMismatch(missing: ["fc1.bias"], unexpected: ["mask", "small"]))
            XCTAssertEqual("\(error)", "in-memory safetensors data does not match the model: "
                           + "missing tensor fc1.bias; unexpected tensors mask, small")
        }
    }

    func testShapeAndDTypeChecksNameTheTensorAndTheFile() {
        var file = Self.crossCheckFile()
        file.source = "run/model.safetensors"
        XCTAssertThrowsError(try file.floats(named: "conv1.weight", shape: [10, 1, 5, 5])) { error in
            XCTAssertEqual("\(error)", "tensor conv1.weight has shape [2, 3, 2, 2] in run/model.safetensors, expected [10, 1, 5, 5]")
        }
        XCTAssertThrowsError(try file.floats(named: "labels")) { error in
            XCTAssertEqual("\(error)", "tensor labels has dtype I64 in run/model.safetensors, expected F32, F16, BF16 or F64")
        }
        XCTAssertThrowsError(try file.integers(named: "half")) { error in
            XCTAssertEqual("\(error)", "tensor half has dtype F16 in run/model.safetensors, expected an integer dtype or BOOL")
        }
        XCTAssertThrowsError(try file.record(named: "fc9.weight")) { error in
            XCTAssertEqual("\(error)", "run/model.safetensors does not match the model: missing tensor fc9.weight")
        }
    }

    // MARK: Helpers

    /// A file whose length prefix matches `header`, followed by `data`.
    static func fileBytes(header: String, data: [UInt8]) -> [UInt8] {
        let header = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + data
    }

    private func assertRejects(header: String, dataSize: Int, _ reason: SafeTensorsError.Reason,
                               mentioning fragments: [String], line: UInt = #line) {
        assertRejects(Self.fileBytes(header: header, data: Array(repeating: 0, count: dataSize)), reason,
                      mentioning: fragments, line: line)
    }

    private func assertRejects(_ bytes: [UInt8], _ reason: SafeTensorsError.Reason, mentioning fragments: [String],
                               line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(decoding: bytes, source: "bad.safetensors"), line: line) { error in
            guard let error = error as? SafeTensorsError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(error.reason, reason, line: line)
            for fragment in fragments + ["bad.safetensors"] {
                XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", line: line)
            }
        }
    }

    private func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
