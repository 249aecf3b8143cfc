import Foundation
import XCTest

/// Tests the fixture loader itself, so that a failing golden test means a wrong Swiftlet op.
final class FixtureLoaderTests: XCTestCase {
    func testEveryFixtureFileLoadsWithConsistentShapes() throws {
        for group in ["ops", "optimizers", "batchnorm", "mnist_net"] {
            let cases = try loadFixtures(group)
            XCTAssertFalse(cases.isEmpty, group)
            for fixture in cases {
                XCTAssertFalse(fixture.tensors.isEmpty, fixture.origin)
                for (name, tensor) in fixture.tensors {
                    XCTAssertEqual(tensor.shape.reduce(1, *), tensor.data.count, "\(fixture.origin)/\(name)")
                }
            }
        }
    }

    func testParametersAndShapesReadAsWritten() throws {
        let ops = try loadFixtures("ops")
        let conv = try XCTUnwrap(ops.first { $0.name == "conv2d_k3x2_s1x2_p2x1" })
        XCTAssertTrue(try conv.pair("stride") == (1, 2))
        XCTAssertTrue(try conv.pair("padding") == (2, 1))
        XCTAssertEqual(try conv.int("groups"), 1)
        XCTAssertEqual(try conv.tensor("w").shape, [4, 3, 3, 2])
        let kl = try XCTUnwrap(ops.first { $0.name == "kl_div_T4" })
        XCTAssertEqual(try kl.double("T"), 4)
        XCTAssertEqual(try kl.tensor("loss").shape, [])
        XCTAssertEqual(try kl.tensor("loss").data.count, 1)
        XCTAssertThrowsError(try kl.int("note"))
        XCTAssertThrowsError(try kl.tensor("missing"))

        let steps = try XCTUnwrap(try loadFixtures("optimizers").first { $0.name == "sgd_momentum_multisteplr" })
        XCTAssertEqual(try steps.string("optimizer"), "sgd")
        XCTAssertEqual(try steps.doubles("milestones"), [2, 5])
        XCTAssertEqual(try steps.tensor("w_steps").shape, [10, 3, 4])
    }

    /// The data is row-major and exact: y = x·wᵀ + b recomputed in Double matches the stored y.
    func testLinearFixtureIsRowMajorAndExact() throws {
        let linear = try XCTUnwrap(try loadFixtures("ops").first { $0.name == "linear" })
        let x = try linear.tensor("x"), w = try linear.tensor("w"), b = try linear.tensor("b")
        XCTAssertEqual(x.data[0], 0.089752585)  // the decimal in ops.json, bit for bit
        let (n, k, m) = (x.shape[0], x.shape[1], w.shape[0])
        var y = [Float](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                var sum = Double(b.data[j])
                for p in 0..<k { sum += Double(x.data[i * k + p]) * Double(w.data[j * k + p]) }
                y[i * m + j] = Float(sum)
            }
        }
        assertClose(y, try linear.tensor("y").data, rtol: 1e-6, atol: 1e-6, "linear y")
    }

    func testMalformedDocumentsAreRejectedWithTheirLocation() {
        let bad = #"{"cases": [{"name": "c", "params": {}, "tensors": {"x": {"shape": [2, 3], "data": [1, 2]}}}]}"#
        XCTAssertThrowsError(try parseFixtures(Data(bad.utf8), file: "bad.json")) { error in
            XCTAssertTrue("\(error)".contains("bad.json/c/x"), "\(error)")
            XCTAssertTrue("\(error)".contains("needs 6 values, data has 2"), "\(error)")
        }
        XCTAssertThrowsError(try parseFixtures(Data("[1]".utf8), file: "list.json"))
        XCTAssertThrowsError(try loadFixtures("no_such_group"))
    }

    func testAssertCloseReportsTheWorstElement() {
        assertClose([1, 2, .nan], [1, 2.000001, .nan], rtol: 1e-5, atol: 0, "within tolerance")
        XCTAssertEqual(capturedFailures { assertClose([1, 2, 3], [1, 2, 3], rtol: 0, atol: 0, "equal") }, [])

        let failures = capturedFailures {
            assertClose([1, 2.5, 3, 9, .nan], [1, 2, 3.5, 4, 5], rtol: 0, atol: 0.1, "mismatch")
        }
        XCTAssertEqual(failures.count, 1)
        // The NaN is infinitely wrong, so it is the worst; the finite misses still count.
        XCTAssertTrue(failures.first?.contains("mismatch: 4 of 5 values out of tolerance; worst at index 4") == true,
                      "\(failures)")
        let finite = capturedFailures { assertClose([1, 2.5, 9, 9], [1, 2, 4, 4], rtol: 0, atol: 0.1, "") }
        XCTAssertTrue(finite.first?.contains("worst at index 2: actual 9.0, expected 4.0") == true, "\(finite)")
    }

    // MARK: - capturing assertClose's failures instead of failing this test

    private var capturing: [String]? = nil

    private func capturedFailures(_ body: () -> Void) -> [String] {
        capturing = []
        body()
        defer { capturing = nil }
        return capturing ?? []
    }

    override func recordFailure(withDescription description: String, inFile filePath: String,
                                atLine lineNumber: Int, expected: Bool) {
        if capturing != nil {
            capturing?.append(description)
        } else {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }
}
