import XCTest
@testable import SwiftletKernels

/// The direct forward convolution must give the im2col path's results bit for bit, so that
/// which path a layer takes never changes a trained model. (Its accuracy against the
/// definition is checked with every other convolution in `Conv2dTests`.)
final class DirectConvolutionTests: XCTestCase {
    private func assertMatchesProductPath(_ g: Conv2dGeometry, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(g.isValid && g.usesDirectForward, "\(g)", file: file, line: line)
        let input = randomValues(g.batch * g.inChannels * g.inPlane, seed: 5)
        let weight = randomValues(g.outChannels * g.patchSize, seed: 6)
        let count = g.batch * g.outChannels * g.outPlane
        forEachThreadCount([1, 2]) { threads in
            var direct = [Float](repeating: .nan, count: count), product = direct
            direct.withUnsafeMutableBufferPointer { output in
                Conv2dForwardPath.direct.forward(g, input: input, weight: weight, output: output.baseAddress!, perImage: { _ in })
            }
            product.withUnsafeMutableBufferPointer { output in
                Conv2dForwardPath.product.forward(g, input: input, weight: weight, output: output.baseAddress!, perImage: { _ in })
            }
            XCTAssertEqual(direct.map(\.bitPattern), product.map(\.bitPattern), "\(g), threads \(threads)", file: file, line: line)
        }
    }

    func testDecomposedLayers() {
        // seed004's rank-8 convolution (16 → 8, k3 on 15×15) and SimpleCNN's conv1 (3 → 16 on 32×32).
        assertMatchesProductPath(Conv2dGeometry(batch: 3, inChannels: 16, inHeight: 15, inWidth: 15, outChannels: 8,
                                                kernelHeight: 3, kernelWidth: 3))
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 32, inWidth: 32, outChannels: 16,
                                                kernelHeight: 3, kernelWidth: 3))
        // The spatially separable form: k×1 then 1×k.
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 16, inHeight: 15, inWidth: 15, outChannels: 8,
                                                kernelHeight: 3, kernelWidth: 1))
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 8, inHeight: 13, inWidth: 15, outChannels: 16,
                                                kernelHeight: 1, kernelWidth: 3))
    }

    func testFilterCountsThatLeaveAPartialTile() {
        for filters in [1, 3, 5, 10] {
            assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 2, inHeight: 11, inWidth: 9, outChannels: filters,
                                                    kernelHeight: 5, kernelWidth: 3))
        }
    }

    func testPaddingDilationAndGroups() {
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 9, inWidth: 7, outChannels: 6,
                                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 2))
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 2, inHeight: 12, inWidth: 10, outChannels: 4,
                                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 1,
                                                dilationHeight: 2, dilationWidth: 3))
        assertMatchesProductPath(Conv2dGeometry(batch: 2, inChannels: 4, inHeight: 8, inWidth: 8, outChannels: 6,
                                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2))
        // 1×1 with padding: the padded width exceeds the output width by nothing.
        assertMatchesProductPath(Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 5, inWidth: 6, outChannels: 2,
                                                kernelHeight: 1, kernelWidth: 1, paddingHeight: 1, paddingWidth: 1))
    }

    func testStridedLayersReadPhasePlanes() {
        assertMatchesProductPath(Conv2dGeometry(batch: 5, inChannels: 16, inHeight: 10, inWidth: 10, outChannels: 32,
                                                kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                                paddingHeight: 1, paddingWidth: 1))
        assertMatchesProductPath(Conv2dGeometry(batch: 3, inChannels: 40, inHeight: 9, inWidth: 21, outChannels: 7,
                                                kernelHeight: 3, kernelWidth: 5, strideHeight: 3, strideWidth: 2,
                                                paddingHeight: 1, paddingWidth: 2))
    }

    func testLongPatchesSummedInSlices() {
        // 32 channels × 3 × 3 = 288 taps: the product path sums two slices of k, and so must this.
        let g = Conv2dGeometry(batch: 2, inChannels: 32, inHeight: 6, inWidth: 6, outChannels: 5,
                               kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        XCTAssertGreaterThan(g.patchSize, PackedProduct.depthStep(g.patchSize))
        assertMatchesProductPath(g)
    }
}
