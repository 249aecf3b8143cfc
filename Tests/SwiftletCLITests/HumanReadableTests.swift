import XCTest
import SwiftletCLI

final class HumanReadableTests: XCTestCase {
    func testBytes() {
        XCTAssertEqual(HumanReadable.bytes(0), "0 B")
        XCTAssertEqual(HumanReadable.bytes(999), "999 B")
        XCTAssertEqual(HumanReadable.bytes(1000), "1.0 kB")
        XCTAssertEqual(HumanReadable.bytes(1234), "1.2 kB")
        XCTAssertEqual(HumanReadable.bytes(431_080), "431 kB")
        XCTAssertEqual(HumanReadable.bytes(999_960), "1.0 MB")
        XCTAssertEqual(HumanReadable.bytes(1_200_000), "1.2 MB")
        XCTAssertEqual(HumanReadable.bytes(3_500_000_000), "3.5 GB")
    }

    func testDurations() {
        XCTAssertEqual(HumanReadable.duration(0.45), "0.45 s")
        XCTAssertEqual(HumanReadable.duration(3.214), "3.21 s")
        XCTAssertEqual(HumanReadable.duration(42.46), "42.5 s")
        XCTAssertEqual(HumanReadable.duration(83), "1:23")
        XCTAssertEqual(HumanReadable.duration(0.0123), "12.3 ms")
        XCTAssertEqual(HumanReadable.duration(0.000_045), "45.0 µs")
        XCTAssertEqual(HumanReadable.duration(.nan), "--")
        XCTAssertEqual(HumanReadable.clock(42), "0:42")
        XCTAssertEqual(HumanReadable.clock(3723), "1:02:03")
        XCTAssertEqual(HumanReadable.clock(59.6), "1:00")
        XCTAssertEqual(HumanReadable.clock(.infinity), "--:--")
        XCTAssertEqual(HumanReadable.clock(-1e300), "--:--", "a trap before, converting to Int")
    }

    func testCountsAndPercentages() {
        XCTAssertEqual(HumanReadable.count(0), "0")
        XCTAssertEqual(HumanReadable.count(999), "999")
        XCTAssertEqual(HumanReadable.count(5210), "5,210")
        XCTAssertEqual(HumanReadable.count(-1_234_567), "-1,234,567")
        XCTAssertEqual(HumanReadable.count(5209.6), "5,210")
        XCTAssertEqual(HumanReadable.count(Double.nan), "--")
        XCTAssertEqual(HumanReadable.percent(98.7123), "98.71%")
        XCTAssertEqual(HumanReadable.percent(92, decimals: 1), "92.0%")
        XCTAssertEqual(HumanReadable.fixed(0.04123, decimals: 4), "0.0412")
    }
}
