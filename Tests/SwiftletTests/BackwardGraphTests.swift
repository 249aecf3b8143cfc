import Foundation
import Swiftlet
import XCTest

/// The public graph walk, its DOT text, and the SVG Swiftlet draws itself.
final class BackwardGraphTests: XCTestCase {
    // ANCHOR: relu-linear
    /// relu(x·w + b) with one intermediate kept, after backward: the picture in docs/autograd/.
    static func reluOfLinear() throws -> BackwardGraph {
        let x = try Tensor([1, -2], shape: [1, 2])
        let w = try Tensor([0.5, -1, 0.25, 2], shape: [2, 2], requiresGrad: true)
        let b = try Tensor([0.1, -0.2], shape: [2], requiresGrad: true)
        let z = try x.matmul(w) + b
        z.retainsGrad = true
        let y = z.relu().sum()
        try y.backward()
        return BackwardGraph(of: y, names: [("x", x), ("w", w), ("b", b), ("z", z)])
    }
    // ANCHOR_END: relu-linear

    func testWalkListsInputsBeforeResults() throws {
        let graph = try Self.reluOfLinear()
        XCTAssertEqual(graph.nodes.map(\.title), ["x", "w", "matmul", "b", "z = add", "relu", "sum"])
        XCTAssertEqual(graph.nodes.map(\.inputs), [[], [], [0, 1], [], [2, 3], [4], [5]])
        XCTAssertEqual(graph.nodes.map(\.shape), [[1, 2], [2, 2], [1, 2], [2], [1, 2], [1, 2], []])
        // z = x·w + b = [0 + 0.1, −5 − 0.2]: only the first unit is active, so only it passes a gradient.
        XCTAssertEqual(graph.nodes[4].tensor.grad?.scalars, [1, 0])
        XCTAssertEqual(graph.nodes[1].tensor.grad?.scalars, [1, 0, -2, 0])
    }

    func testDotHasANodePerTensorAndAnEdgePerInput() throws {
        let dot = try Self.reluOfLinear().dot()
        XCTAssertTrue(dot.hasPrefix("digraph backward {"))
        XCTAssertTrue(dot.contains("n4 [label=\"z = add\\n[1, 2]\\nvalue [0.1, -5.2]\\ngrad [1, 0]\", fillcolor=\"#dae8fc\"];"), dot)
        XCTAssertEqual(dot.components(separatedBy: " -> ").count - 1, 6)
    }

    /// Well-formedness is checked by an XML parser in SwiftletCLITests (GraphCommandTests).
    func testSVGHasABoxPerTensorAndAPathPerEdge() throws {
        let svg = try Self.reluOfLinear().svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(svg.components(separatedBy: "<rect ").count - 1, 7)
        XCTAssertEqual(svg.components(separatedBy: "<path ").count - 1, 6 + 1)  // the edges, and the arrowhead's shape
        XCTAssertTrue(svg.contains(">z = add</text>"))
        XCTAssertTrue(svg.contains(">grad [1, 0, -2, 0]</text>"))
    }

    /// docs/autograd/relu-linear.svg is this test's picture; SWIFTLET_WRITE_DOCS=1 redraws it.
    func testDocsPictureIsCurrent() throws {
        let svg = try Self.reluOfLinear().svg()
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/autograd/relu-linear.svg")
        if ProcessInfo.processInfo.environment["SWIFTLET_WRITE_DOCS"] == "1" { try svg.write(to: file, atomically: true, encoding: .utf8) }
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), svg, "redraw with SWIFTLET_WRITE_DOCS=1 swift test --filter BackwardGraphTests")
    }

    func testAModelStepNamesItsParameters() throws {
        let model = Sequential { ("fc1", Linear(3, 4)); ReLU(); ("fc2", Linear(4, 2)) }
        let loss = try crossEntropy(model(Tensor.ones([2, 3])), [0, 1])
        let graph = BackwardGraph(of: loss, names: model.namedParameters)
        XCTAssertEqual(graph.nodes.map(\.title), ["constant", "fc1.weight", "fc1.bias", "linear", "relu", "fc2.weight", "fc2.bias", "linear", "crossEntropy"])
        XCTAssertEqual(graph.svg().components(separatedBy: "<rect ").count - 1, 9)
    }
}
