import XCTest
@testable import Swiftlet

extension FixtureCase {
    /// The named fixture tensor as a Swiftlet tensor.
    func input(_ name: String, requiresGrad: Bool = false) throws -> Tensor {
        let (shape, data) = try tensor(name)
        return try Tensor(data, shape: shape, requiresGrad: requiresGrad)
    }

    /// Integer labels stored as floats.
    func labels(_ name: String) throws -> [Int] {
        try tensor(name).data.map { Int($0) }
    }

    /// Asserts `actual` equals the fixture tensor `name` within the tolerances.
    func expect(_ actual: Tensor?, _ name: String, rtol: Float = 1e-4, atol: Float = 1e-5,
                file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try tensor(name)
        let actual = try XCTUnwrap(actual, "\(self.name): \(name) is missing", file: file, line: line)
        XCTAssertEqual(actual.shape, expected.shape, "\(self.name): shape of \(name)", file: file, line: line)
        assertClose(actual.scalars, expected.data, rtol: rtol, atol: atol, "\(self.name): \(name)", file: file, line: line)
    }

    /// Runs `model` on the case's `x` and checks its logits, the cross-entropy loss against
    /// `targets` and every parameter's gradient against PyTorch's; returns the batch so that the
    /// optimizer steps after it can be checked too.
    func expectForwardAndBackward(of model: Module, file: StaticString = #filePath,
                                  line: UInt = #line) throws -> (x: Tensor, labels: [Int]) {
        let x = try input("x"), labels = try labels("targets")
        let logits = try model(x)
        let loss = try crossEntropy(logits, labels)
        try expect(logits, "logits", file: file, line: line)
        try expect(loss, "loss", file: file, line: line)
        try loss.backward()
        for (name, parameter) in model.namedParameters {
            try expect(parameter.grad, "grad.\(name)", rtol: 1e-3, atol: 1e-5, file: file, line: line)
        }
        return (x, labels)
    }

    func size2D(_ key: String) throws -> Size2D {
        let (h, w) = try pair(key)
        return Size2D(h, w)
    }
}

/// The cases of a fixture group whose names start with `prefix`; fails if there are none.
func fixtureCases(_ group: String, prefix: String, file: StaticString = #filePath, line: UInt = #line) throws -> [FixtureCase] {
    let cases = try loadFixtures(group).filter { $0.name.hasPrefix(prefix) }
    XCTAssertFalse(cases.isEmpty, "no \(prefix)* cases in \(group).json", file: file, line: line)
    return cases
}

extension FixtureCase {
    /// A list of [before, after] pairs, one per dimension (padding).
    func pairs(_ key: String) throws -> [(before: Int, after: Int)] {
        guard let list = params[key] as? [[Any]] else {
            throw FixtureError(origin, "parameter \"\(key)\" should be a list of [before, after] pairs")
        }
        return try list.map { pair in
            let values = pair.compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
            guard values.count == 2 else {
                throw FixtureError(origin, "parameter \"\(key)\" holds \(pair), not a pair of integers")
            }
            return (values[0], values[1])
        }
    }
}
