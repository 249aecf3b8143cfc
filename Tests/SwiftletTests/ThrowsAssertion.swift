import XCTest

/// Fails unless `expression` throws exactly `expected`: the error's type, case and values.
func assertThrows<Value, Expected: Error & Equatable>(
    _ expression: @autoclosure () throws -> Value, _ expected: Expected,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        XCTAssertEqual(error as? Expected, expected, "threw \(type(of: error)): \(error)", file: file, line: line)
    }
}
