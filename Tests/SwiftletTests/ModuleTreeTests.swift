import XCTest
@testable import Swiftlet

/// Dotted paths over a model written as users write them: plain properties, `@Child`
/// slots, arrays, optionals and nested `Sequential`s.
final class ModuleTreeTests: XCTestCase {
    private final class Block: Module {
        @Child var conv: Module = Conv2d(2, 2, kernelSize: 3, padding: 1)
        @Child var head: Linear = Linear(2, 2)
        let norm = BatchNorm2d(2)
        let skip: Sequential?

        init(projected: Bool) {
            skip = projected ? Sequential { Conv2d(2, 2, kernelSize: 1); BatchNorm2d(2) } : nil
        }

        override func forward(_ input: Tensor) throws -> Tensor {
            try (norm(conv(input)) + (skip?(input) ?? input)).relu()
        }
    }

    private final class Net: Module {
        let stem = Conv2d(1, 2, kernelSize: 3, padding: 1)
        let blocks = [Block(projected: true), Block(projected: false)]
        let tail = Sequential { ("pool", GlobalAvgPool2d()); Flatten(); ("fc", Linear(2, 3)) }

        override func forward(_ input: Tensor) throws -> Tensor {
            try tail(blocks[1](blocks[0](stem(input))))
        }
    }

    func testPathsAreThePyTorchNames() {
        let net = Net()
        XCTAssertEqual(net.namedModules.map(\.path), [
            "", "stem",
            "blocks.0", "blocks.0.conv", "blocks.0.head", "blocks.0.norm", "blocks.0.skip", "blocks.0.skip.0", "blocks.0.skip.1",
            "blocks.1", "blocks.1.conv", "blocks.1.head", "blocks.1.norm",
            "tail", "tail.pool", "tail.1", "tail.fc",
        ])
        XCTAssertTrue(net.namedParameters.map(\.name).contains("blocks.0.skip.0.weight"))
        XCTAssertTrue(net.namedParameters.map(\.name).contains("blocks.1.conv.weight"), "a @Child is named after its property")
        XCTAssertTrue(net.submodule(at: "blocks.0.skip.1") is BatchNorm)
        XCTAssertNil(net.submodule(at: "blocks.2"))
        XCTAssertThrowsError(try net.module(at: "blocks.0.nope")) { error in
            XCTAssertTrue("\(error)".contains("blocks.0.conv"), "the error lists what exists: \(error)")
        }
    }

    func testReplacementGoesWhereASlotCanBeWritten() throws {
        let net = Net()
        let factors = Sequential { ("0", Conv2d(2, 1, kernelSize: 3, padding: 1, bias: false)); ("1", Conv2d(1, 2, kernelSize: 1)) }
        try net.replaceSubmodule(at: "blocks.1.conv", with: factors)
        XCTAssertTrue(net.blocks[1].conv === factors)
        XCTAssertEqual(try net(Tensor.ones([1, 1, 4, 4])).shape, [1, 3])
        try net.replaceSubmodule(at: "tail.fc", with: Linear(2, 3, bias: false))
        XCTAssertEqual(net.namedParameters.filter { $0.name.hasPrefix("tail.") }.map(\.name), ["tail.fc.weight"])
    }

    func testReplacementThatCannotBeMadeSaysWhy() {
        let net = Net()
        let cases: [(path: String, replacement: Module, expected: ModuleTreeError)] = [
            ("blocks.0.head", Sequential { Linear(2, 2) },
             .typeMismatch(path: "blocks.0.head", declared: "Linear", given: "Sequential")),
            ("stem", ReLU(),
             .notReplaceable(path: "stem", reason: "`stem` is a plain stored property of Net; declare it `@Child var stem: Module` so passes can replace it")),
            ("blocks.1", ReLU(),
             .notReplaceable(path: "blocks.1", reason: "it is an element of the array `blocks` of Net; hold the modules in a Sequential to make them replaceable")),
            ("", ReLU(), .notReplaceable(path: "", reason: "a model cannot replace itself")),
        ]
        for (path, replacement, expected) in cases {
            XCTAssertThrowsError(try net.replaceSubmodule(at: path, with: replacement)) { error in
                XCTAssertEqual(error as? ModuleTreeError, expected, path)
            }
        }
        XCTAssertThrowsError(try net.replaceSubmodule(at: "tail.nope", with: ReLU())) { error in
            guard case let .noModule(path, candidates)? = error as? ModuleTreeError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "tail.nope")
            XCTAssertTrue(candidates.contains("tail.fc"))
        }
    }
}
