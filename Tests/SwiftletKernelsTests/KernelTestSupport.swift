import SwiftletKernels
import XCTest

/// Uniform random values in [-1, 1), reproducible from `seed`.
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in random.nextUniform(-1, 1) }
}

/// Asserts `actual ≈ expected` elementwise, within `tolerance` relative to the largest expected magnitude.
func assertClose(
    _ actual: [Float], _ expected: [Double], tolerance: Double = 1e-5, _ message: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(message): element count", file: file, line: line)
    let scale = max(1, expected.map(abs).max() ?? 0)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(Double(a) - e) <= tolerance * scale) {
        XCTFail("\(message): element \(i) is \(a), expected \(e)", file: file, line: line)
        return
    }
}

/// Runs `body` once for each thread count, restoring `Parallel.threads` afterwards,
/// so that both the single-threaded path and uneven batch splits are exercised.
func forEachThreadCount(_ counts: [Int] = [1, 2, 3], _ body: (Int) -> Void) {
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    for threads in counts {
        Parallel.threads = threads
        body(threads)
    }
}
