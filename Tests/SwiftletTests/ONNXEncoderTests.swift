import XCTest
@testable import Swiftlet

/// The protobuf encoder byte for byte: the wire format's own examples, and ONNX messages
/// against the bytes protobuf itself writes for them (Tests/python/onnx_golden_bytes.py,
/// onnx 1.23 / protobuf, run once; the hex below is its output).
final class ONNXEncoderTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func encoded(_ body: (inout ProtobufWriter) -> Void) -> String {
        var writer = ProtobufWriter()
        body(&writer)
        return hex(writer.bytes)
    }

    func testVarintsAndTags() {
        XCTAssertEqual(encoded { $0.varint(0) }, "00")
        XCTAssertEqual(encoded { $0.varint(127) }, "7f")
        XCTAssertEqual(encoded { $0.varint(128) }, "8001")
        XCTAssertEqual(encoded { $0.varint(300) }, "ac02", "the protobuf documentation's example")
        XCTAssertEqual(encoded { $0.varint(UInt64.max) }, "ffffffffffffffffff01")
        XCTAssertEqual(encoded { $0.int64(1, 150) }, "089601", "field 1 = 150, the documentation's first example")
        XCTAssertEqual(encoded { $0.int64(8, -1) }, "40ffffffffffffffffff01", "a negative int64 takes ten bytes")
        XCTAssertEqual(encoded { $0.int64(20, 7) }, "a00107", "field 20 needs a two-byte tag")
        XCTAssertEqual(encoded { $0.float(2, 1) }, "150000803f")
        XCTAssertEqual(encoded { $0.string(2, "testing") }, "120774657374696e67")
        XCTAssertEqual(encoded { $0.message(3) { $0.int64(1, 150) } }, "1a03089601", "an embedded message, the documentation's example")
        XCTAssertEqual(encoded { $0.bytes(9, []) }, "4a00")
    }

    func testAttributesMatchProtobuf() {
        XCTAssertEqual(encoded { ONNXAttribute.int("axis", 1).encode(into: &$0) }, "0a04617869731801a00102")
        XCTAssertEqual(encoded { ONNXAttribute("pads", .ints([0, 1, -1])).encode(into: &$0) },
                       "0a04706164734000400140ffffffffffffffffff01a00107")
        XCTAssertEqual(encoded { ONNXAttribute.float("epsilon", 1e-5).encode(into: &$0) }, "0a07657073696c6f6e15acc52737a00101")
    }

    func testTensorNodeAndValueInfoMatchProtobuf() {
        XCTAssertEqual(encoded { ONNXTensor(name: "w", floats: [1, -2], dims: [2]).encode(into: &$0) }, "080210014201774a080000803f000000c0")
        XCTAssertEqual(encoded { ONNXNode("Conv", inputs: ["x", "w"], outputs: ["y"], name: "", attributes: [.ints("kernel_shape", [3, 3])]).encode(into: &$0) },
                       "0a01780a01771201792204436f6e762a150a0c6b65726e656c5f736861706540034003a00107")
        XCTAssertEqual(encoded { ONNXValueInfo(name: "input", elementType: .float, shape: [.parameter("batch"), .value(1), .value(28), .value(28)]).encode(into: &$0) },
                       "0a05696e707574121b0a19080112150a07120562617463680a0208010a02081c0a02081c")
    }

    func testAWholeModelMatchesProtobuf() {
        let info = { (name: String) in ONNXValueInfo(name: name, elementType: .float, shape: [.parameter("batch"), .value(2)]) }
        let graph = ONNXGraph(name: "g", nodes: [ONNXNode("Relu", inputs: ["input"], outputs: ["output"], name: "")],
                              initializers: [ONNXTensor(name: "w", floats: [1, -2], dims: [2])], inputs: [info("input")], outputs: [info("output")])
        let model = ONNXModel(irVersion: 8, opsetImports: [("", 17)], producerName: "swiftlet", producerVersion: "0.1.0",
                              docString: "", graph: graph, metadata: [])
        XCTAssertEqual(hex(model.serialized()),
                       "0808120873776966746c65741a05302e312e303a6a0a150a05696e70757412066f7574707574220452656c751201672a11080210014201774a"
                       + "080000803f000000c05a1c0a05696e70757412130a110801120d0a07120562617463680a020802621d0a066f757470757412130a110801120d"
                       + "0a07120562617463680a02080242040a001011")
    }

    func testTheTestsReaderDecodesWhatTheEncoderWrites() throws {
        var writer = ProtobufWriter()
        writer.int64(1, -5)
        writer.float(2, 0.25)
        writer.message(3) { $0.string(1, "inner") }
        let fields = try protobufFields(writer.bytes)
        XCTAssertEqual(fields.map(\.field), [1, 2, 3])
        XCTAssertEqual(fields[0].value.int, -5)
        XCTAssertEqual(fields[1].value, .fixed32(Float(0.25).bitPattern))
        XCTAssertEqual(try protobufFields(fields[2].value.bytes ?? [])[0].value.string, "inner")
        XCTAssertThrowsError(try protobufFields([0x0a, 0x05, 0x01]), "a length past the end is an error")
    }
}
