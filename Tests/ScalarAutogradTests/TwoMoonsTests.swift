import ScalarAutograd
import XCTest

final class TwoMoonsTests: XCTestCase {
    func testDataSetHasBothMoons() {
        let data = TwoMoons(count: 100, noise: 0.1, seed: 1)
        XCTAssertEqual(data.points.count, 100)
        XCTAssertEqual(data.labels.filter { $0 > 0 }.count, 50)
        // The upper moon lies mostly above the lower one, but a vertical line cannot split them.
        let upper = zip(data.points, data.labels).filter { $1 > 0 }.map(\.0)
        XCTAssertGreaterThan(upper.map { $0[1] }.reduce(0, +) / 50, 0.4)
    }

    /// micrograd's demo at a smaller cost: a 2-16-16-1 MLP, 60 SGD steps on batches of 32.
    /// Its time in a release build is printed by `swift run -c release two-moons`.
    func testMLPSeparatesTheMoons() {
        let data = TwoMoons(count: 100, noise: 0.1, seed: 1)
        let mlp = MLP(inputs: 2, layerSizes: [16, 16, 1], seed: 2)
        let before = accuracy(mlp, on: data)
        train(mlp, on: data, loss: hingeLoss)
        let after = accuracy(mlp, on: data)
        XCTAssertGreaterThanOrEqual(after, 0.95, "accuracy \(after) (before training \(before))")
        XCTAssertEqual(mlp.parameters.count, 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)
    }
}
