import XCTest
@testable import SwiftletKernels

/// The stride-1 paths that read a zero-padded stacked copy of the images instead of im2col
/// (`DirectConvolution`: forward, input gradient as a convolution of gradOutput, weight gradient
/// as dot products along the stacked rows), checked against the definition summed in Double,
/// at shapes that put several images into one stacked chunk (and leave a smaller last one).
final class StackedConvolutionTests: XCTestCase {
    private func check(_ g: Conv2dGeometry, forward: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(g.isValid && g.usesDirectForward == forward && g.usesDirectBackwardWeight, "\(g)", file: file, line: line)
        assertPassesMatchTheDefinition(g, seed: 11, file: file, line: line)
    }

    func testResNetAndVGGShapes() {
        // 3×3, padding 1, the layers of a CIFAR ResNet / VGG on small batches and planes (with
        // fewer than 32 channels in or out: wider ones are Winograd's, WinogradConvolutionTests).
        for (c, o, size, batch) in [(3, 16, 12, 5), (16, 16, 10, 9), (24, 32, 8, 17), (40, 24, 4, 33), (8, 70, 6, 7)] {
            check(Conv2dGeometry(batch: batch, inChannels: c, inHeight: size, inWidth: size, outChannels: o,
                                 kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        }
    }

    func testOddShapesPaddingDilationAndGroups() {
        check(Conv2dGeometry(batch: 11, inChannels: 3, inHeight: 7, inWidth: 9, outChannels: 5,
                             kernelHeight: 3, kernelWidth: 5, paddingHeight: 1, paddingWidth: 2))
        check(Conv2dGeometry(batch: 6, inChannels: 4, inHeight: 9, inWidth: 8, outChannels: 6,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 1,
                             dilationHeight: 2, dilationWidth: 1))
        check(Conv2dGeometry(batch: 13, inChannels: 6, inHeight: 5, inWidth: 7, outChannels: 9,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 3))
        // Padding on one axis only; a 5×5 kernel with padding 1 (narrower than its reach).
        check(Conv2dGeometry(batch: 10, inChannels: 2, inHeight: 8, inWidth: 6, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 0, paddingWidth: 1))
        check(Conv2dGeometry(batch: 4, inChannels: 3, inHeight: 9, inWidth: 9, outChannels: 4,
                             kernelHeight: 5, kernelWidth: 5, paddingHeight: 1, paddingWidth: 1))
        // Padding wider than the kernel's reach: the input gradient falls back to im2col.
        let wide = Conv2dGeometry(batch: 5, inChannels: 2, inHeight: 4, inWidth: 5, outChannels: 3,
                                  kernelHeight: 1, kernelWidth: 1, paddingHeight: 1, paddingWidth: 1)
        XCTAssertFalse(wide.usesDirectBackwardInput)
        check(wide)
    }

    /// Strided layers read phase planes (even and odd rows and columns for stride 2).
    func testStridedLayers() {
        // A ResNet's downsampling 3×3 and its 1×1 projection (whose forward pass stays on im2col).
        check(Conv2dGeometry(batch: 9, inChannels: 16, inHeight: 10, inWidth: 10, outChannels: 32,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1),
              forward: true)
        check(Conv2dGeometry(batch: 9, inChannels: 16, inHeight: 10, inWidth: 10, outChannels: 32,
                             kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 2), forward: false)
        // Odd sizes (phase planes of different lengths), unpadded, stride 3, uneven strides, dilation,
        // rows long enough for the vector deinterleave (width 37).
        check(Conv2dGeometry(batch: 7, inChannels: 3, inHeight: 11, inWidth: 37, outChannels: 5,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1),
              forward: true)
        check(Conv2dGeometry(batch: 5, inChannels: 2, inHeight: 9, inWidth: 8, outChannels: 4,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2), forward: true)
        check(Conv2dGeometry(batch: 4, inChannels: 3, inHeight: 13, inWidth: 11, outChannels: 6,
                             kernelHeight: 5, kernelWidth: 3, strideHeight: 3, strideWidth: 1, paddingHeight: 2, paddingWidth: 0),
              forward: true)
        check(Conv2dGeometry(batch: 6, inChannels: 4, inHeight: 12, inWidth: 12, outChannels: 6,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 3, paddingHeight: 2, paddingWidth: 1,
                             dilationHeight: 2, dilationWidth: 1, groups: 2), forward: true)
    }

    func testLongPatchesAndManyFilters() {
        // 64 channels × 9 taps: the forward and input-gradient sums run in two slices of k.
        check(Conv2dGeometry(batch: 3, inChannels: 64, inHeight: 5, inWidth: 5, outChannels: 20,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
    }

    /// The forward pass gives the im2col path's results bit for bit however many images share
    /// a chunk; the weight gradient is the same on every run with a given thread count.
    func testForwardBitIdenticalAndWeightGradientDeterministic() {
        let g = Conv2dGeometry(batch: 37, inChannels: 16, inHeight: 8, inWidth: 8, outChannels: 24,
                               kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        let input = randomValues(g.batch * g.inChannels * g.inPlane, seed: 21)
        let weight = randomValues(g.outChannels * g.patchSize, seed: 22)
        let gradOutput = randomValues(g.batch * g.outChannels * g.outPlane, seed: 23)
        forEachThreadCount([1, 2, 3]) { threads in
            var direct = [Float](repeating: .nan, count: gradOutput.count), product = direct
            direct.withUnsafeMutableBufferPointer {
                Conv2dForwardPath.direct.forward(g, input: input, weight: weight, output: $0.baseAddress!, perImage: { _ in })
            }
            product.withUnsafeMutableBufferPointer {
                Conv2dForwardPath.product.forward(g, input: input, weight: weight, output: $0.baseAddress!, perImage: { _ in })
            }
            XCTAssertEqual(direct.map(\.bitPattern), product.map(\.bitPattern), "threads \(threads)")
            var first = [Float](repeating: .nan, count: weight.count), again = first
            conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &first, gradBias: nil)
            for _ in 0..<3 {
                conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &again, gradBias: nil)
                XCTAssertEqual(first.map(\.bitPattern), again.map(\.bitPattern), "threads \(threads)")
            }
        }
    }
}
