import XCTest
@testable import Swiftlet
import SwiftletKernels

/// The sparse inference path: SparseLinear computes what the pruned Linear computes.
final class SparseLinearPruningTests: XCTestCase {
    private func prunedLeNet() throws -> Module {
        GlobalRandom.seed(41)
        let model = try ModelZoo.entry("lenet300").make()
        _ = try prune(model, by: .magnitude, .byName(["fc1.weight": 0.9, "fc2.weight": 0.9, "fc3.weight": 0.5]))
        return model
    }

    func testSparseModelMatchesDenseModel() throws {
        let dense = try prunedLeNet(), sparse = try prunedLeNet()
        XCTAssertEqual(try convertToSparse(sparse), ["fc1", "fc2"])
        XCTAssertTrue(sparse.submodule(at: "fc1") is SparseLinear)
        XCTAssertTrue(sparse.submodule(at: "fc3") is Linear)
        XCTAssertEqual(sparse.stateDict.map(\.name), dense.stateDict.map(\.name))
        // Dense inputs take the sliced product, mostly-zero ones (as MNIST digits) the scattering one.
        for (batch, density) in [(1, Float(1)), (5, 1), (1, 0.1), (3, 0.1)] {
            let x = Tensor.normal([batch, 1, 28, 28])
            x.scalars = x.scalars.enumerated().map { Float($0.offset % 100) < 100 * density ? $0.element : 0 }
            let expected = try withNoGrad { try dense(x) }
            let actual = try sparse(x)
            assertClose(actual.scalars, expected.scalars, rtol: 1e-4, atol: 1e-5, "sparse vs dense, batch \(batch), density \(density)")
        }
        let footprint = try ModelFootprint(of: sparse, inputShape: [1, 28, 28])
        XCTAssertEqual(footprint.nonzeroFlops, try ModelFootprint(of: dense, inputShape: [1, 28, 28]).nonzeroFlops)
        XCTAssertEqual(footprint.nonzeroFlops, 2 * (23_520 + 3_000 + 500))
    }

    func testSparseLinearIsInferenceOnly() throws {
        GlobalRandom.seed(42)
        let layer = try SparseLinear(Linear(4, 3))
        XCTAssertEqual(layer.sparsity, 0)
        XCTAssertThrowsError(try layer(Tensor.normal([2, 4], requiresGrad: true)))
        XCTAssertThrowsError(try layer(Tensor.normal([2, 5])))
        XCTAssertNoThrow(try withNoGrad { try layer(Tensor.normal([2, 4], requiresGrad: true)) })
        // The gathering layout's 16-bit column indices: a wider layer is refused, and
        // convertToSparse leaves it dense. (The AVX-512 layout has no such limit.)
        if SparseProductMatrix.maximumColumns == SlicedEllpackMatrix.maximumColumns {
            let wide = Linear(SlicedEllpackMatrix.maximumColumns + 1, 1, bias: false)
            wide.weight.scalars = [Float](repeating: 0, count: wide.weight.count)
            XCTAssertThrowsError(try SparseLinear(wide))
            XCTAssertEqual(try convertToSparse(Sequential { ("wide", wide) }), [])
        }
    }

    func testSparseLinearMatchesLinearOnOddShapes() throws {
        // Empty rows, an all-zero layer, sizes that leave a partial slice; with and without bias.
        GlobalRandom.seed(43)
        for (inFeatures, outFeatures, hasBias, zeroFraction) in [(13, 9, true, Float(0.7)), (5, 1, false, 0.5), (31, 17, true, 1)] {
            let linear = Linear(inFeatures, outFeatures, bias: hasBias)
            var generator = SeededRandom(seed: UInt64(inFeatures))
            linear.weight.scalars = linear.weight.scalars.map { generator.nextUniform() < zeroFraction ? 0 : $0 }
            for c in 0..<inFeatures { linear.weight.scalars[c] = 0 }
            let sparse = try SparseLinear(linear)
            for density in [Float(1), 0.1] {
                let x = Tensor.normal([3, inFeatures])
                x.scalars = x.scalars.enumerated().map { Float($0.offset % 10) < 10 * density ? $0.element : 0 }
                let expected = try withNoGrad { try linear(x) }
                assertClose(try sparse(x).scalars, expected.scalars, rtol: 0, atol: 1e-5, "\(inFeatures)→\(outFeatures), density \(density)")
            }
        }
    }
}
