import Foundation
import XCTest
import SwiftletCLI

final class JSONLinesTests: XCTestCase {
    func testKeysKeepInsertionOrderAndNumbersKeepTheirKind() {
        var line: JSONObject = ["experiment": "seed000-mnist-prune", "stage": "pruned", "accuracy": .number(99.1234, decimals: 2),
                                "params": 21840, "sparsity": 89.5, "pruned": true, "bits": nil]
        line["seconds"] = .number(12.3456789)
        line["stage"] = "retrained"
        XCTAssertEqual(line.jsonText, #"{"experiment": "seed000-mnist-prune", "stage": "retrained", "accuracy": 99.12, "#
                       + #""params": 21840, "sparsity": 89.5, "pruned": true, "bits": null, "seconds": 12.3457}"#)
        line["bits"] = nil
        XCTAssertNil(line["bits"])
        XCTAssertFalse(line.jsonText.contains("bits"))
    }

    func testNumberFormatting() {
        XCTAssertEqual(JSONValue.number(Double(Float(99.12))).jsonText, "99.12", "Float noise is not printed")
        XCTAssertEqual(JSONValue.number(0.0412).jsonText, "0.0412")
        XCTAssertEqual(JSONValue.number(1e-5).jsonText, "1e-05")
        XCTAssertEqual(JSONValue.number(5210).jsonText, "5210")
        XCTAssertEqual(JSONValue.number(98.7, decimals: 2).jsonText, "98.70")
        XCTAssertEqual(JSONValue.number(.nan).jsonText, "null")
        XCTAssertEqual(JSONValue.number(-.infinity, decimals: 2).jsonText, "null")
        XCTAssertEqual(JSONValue.integer(-42).jsonText, "-42")
    }

    func testStringEscaping() {
        XCTAssertEqual(JSONValue.string("a\"b\\c\nd\te\r\u{01}\u{7F}é🙂/").jsonText, #""a\"b\\c\nd\te\r\u0001\u007fé🙂/""#)
    }

    func testLinesParseBackWithJSONSerialization() throws {
        let sink = TextBuffer()
        let writer = JSONLinesWriter(sink: sink)
        writer.write(["bench": "sgemm", "n": 512, "gflops": .number(131.24, decimals: 1), "name": "tab\there \"q\""])
        writer.write(["bench": "train", "img_per_s": 5210])
        XCTAssertTrue(sink.text.hasSuffix("}\n"))
        let lines = sink.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines { XCTAssertFalse(line.hasSuffix(" ")) }
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["bench"] as? String, "sgemm")
        XCTAssertEqual(first["n"] as? Int, 512)
        XCTAssertEqual(first["gflops"] as? Double, 131.2)
        XCTAssertEqual(first["name"] as? String, "tab\there \"q\"")
    }
}
