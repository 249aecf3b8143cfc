import SwiftletKernels
import XCTest

final class Conv2dTests: XCTestCase {
    func testOutputSizeFollowsPyTorch() {
        let g = Conv2dGeometry(batch: 1, inChannels: 1, inHeight: 28, inWidth: 20, outChannels: 1,
                               kernelHeight: 5, kernelWidth: 3, strideHeight: 2, strideWidth: 3,
                               paddingHeight: 1, paddingWidth: 2, dilationHeight: 2, dilationWidth: 1)
        XCTAssertEqual(g.outHeight, (28 + 2 - 8 - 1) / 2 + 1)
        XCTAssertEqual(g.outWidth, (20 + 4 - 2 - 1) / 3 + 1)
        XCTAssertTrue(g.isValid)
    }

    func testInvalidGeometries() {
        let base = Conv2dGeometry(batch: 2, inChannels: 4, inHeight: 5, inWidth: 5, outChannels: 6,
                                  kernelHeight: 3, kernelWidth: 3)
        XCTAssertTrue(base.isValid)
        var g = base; g.groups = 4
        XCTAssertFalse(g.isValid, "outChannels 6 does not divide by 4 groups")
        g = base; g.groups = 3
        XCTAssertFalse(g.isValid, "inChannels 4 does not divide by 3 groups")
        g = base; g.kernelWidth = 6
        XCTAssertFalse(g.isValid, "kernel wider than input")
        g = base; g.strideHeight = 0
        XCTAssertFalse(g.isValid)
        g = base; g.paddingWidth = -1
        XCTAssertFalse(g.isValid)
        g = base; g.batch = 0
        XCTAssertFalse(g.isValid)
    }

    private func check(_ g: Conv2dGeometry, bias: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(g.isValid, "\(g)", file: file, line: line)
        let outCount = g.batch * g.outChannels * g.outHeight * g.outWidth
        let input = randomValues(g.batch * g.inChannels * g.inHeight * g.inWidth, seed: 1)
        let weight = randomValues(g.outChannels * g.inChannels / g.groups * g.kernelHeight * g.kernelWidth, seed: 2)
        let biasValues = bias ? randomValues(g.outChannels, seed: 3) : [Float](repeating: 0, count: g.outChannels)
        let gradOutput = randomValues(outCount, seed: 4)
        let reference = ConvReference(g, input: input, weight: weight, bias: biasValues, gradOutput: gradOutput)

        forEachThreadCount { threads in
            let context = "\(g), threads \(threads)"
            // Garbage in the outputs proves the kernels overwrite rather than accumulate.
            var output = [Float](repeating: .nan, count: outCount)
            var gradInput = [Float](repeating: .nan, count: input.count)
            var gradWeight = [Float](repeating: .nan, count: weight.count)
            var gradBias = [Float](repeating: .nan, count: g.outChannels)
            if bias {
                conv2dForward(g, input: input, weight: weight, bias: biasValues, output: &output)
                conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &gradWeight, gradBias: &gradBias)
                assertClose(gradBias, reference.gradBias, "gradBias \(context)", file: file, line: line)
            } else {
                conv2dForward(g, input: input, weight: weight, bias: nil, output: &output)
                conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &gradWeight, gradBias: nil)
            }
            conv2dBackwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: &gradInput)
            assertClose(output, reference.output, "output \(context)", file: file, line: line)
            assertClose(gradInput, reference.gradInput, "gradInput \(context)", file: file, line: line)
            assertClose(gradWeight, reference.gradWeight, "gradWeight \(context)", file: file, line: line)
        }
    }

    func testSquareKernels() {
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 7, inWidth: 7, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3))
        check(Conv2dGeometry(batch: 3, inChannels: 1, inHeight: 12, inWidth: 12, outChannels: 4,
                             kernelHeight: 5, kernelWidth: 5))
        check(Conv2dGeometry(batch: 3, inChannels: 3, inHeight: 8, inWidth: 8, outChannels: 5,
                             kernelHeight: 3, kernelWidth: 3), bias: false)
    }

    func testStrides() {
        check(Conv2dGeometry(batch: 3, inChannels: 3, inHeight: 9, inWidth: 8, outChannels: 4,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2))
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 7, inWidth: 10, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 2))
        // Rows wide enough for im2col's and col2im's 16-float stride-2 vectors, ending in a scalar tail.
        check(Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 6, inWidth: 37, outChannels: 4,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                             paddingHeight: 1, paddingWidth: 1))
        check(Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 4, inWidth: 41, outChannels: 5,
                             kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 2))
    }

    func testPadding() {
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 6, inWidth: 6, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 6, inWidth: 5, outChannels: 2,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 1,
                             paddingHeight: 1, paddingWidth: 2))
        // Padding wider than the kernel: whole rows and columns of the unfolded matrix are zero.
        check(Conv2dGeometry(batch: 1, inChannels: 1, inHeight: 4, inWidth: 4, outChannels: 2,
                             kernelHeight: 2, kernelWidth: 2, paddingHeight: 3, paddingWidth: 3))
    }

    func testDilation() {
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 9, inWidth: 9, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 2,
                             dilationHeight: 2, dilationWidth: 2))
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 8, inWidth: 11, outChannels: 2,
                             kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1,
                             dilationHeight: 1, dilationWidth: 2))
        check(Conv2dGeometry(batch: 3, inChannels: 3, inHeight: 9, inWidth: 10, outChannels: 4,
                             kernelHeight: 2, kernelWidth: 3, dilationHeight: 3, dilationWidth: 2))
    }

    func testGroups() {
        check(Conv2dGeometry(batch: 3, inChannels: 4, inHeight: 6, inWidth: 7, outChannels: 6,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2))
        // Depthwise, and depthwise with two filters per channel.
        check(Conv2dGeometry(batch: 3, inChannels: 4, inHeight: 6, inWidth: 6, outChannels: 4,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 4))
        check(Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 7, inWidth: 5, outChannels: 6,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, groups: 3))
    }

    func testNonSquareInputsAndKernels() {
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 5, inWidth: 9, outChannels: 3,
                             kernelHeight: 2, kernelWidth: 4))
        check(Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 10, inWidth: 6, outChannels: 2,
                             kernelHeight: 5, kernelWidth: 1, paddingHeight: 2, paddingWidth: 0))
        // The kernel covers the whole input: a 1×1 output.
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 4, inWidth: 3, outChannels: 5,
                             kernelHeight: 4, kernelWidth: 3))
    }

    /// Output planes of 512 pixels or more take the dot-product weight gradient: tiles of
    /// 4×4 cut at odd edges (5 or 3 rows, 9 or 3 columns) and planes that are not whole
    /// 8-lane vectors (529, 575).
    func testLargeOutputPlanes() {
        check(Conv2dGeometry(batch: 3, inChannels: 1, inHeight: 26, inWidth: 26, outChannels: 5,
                             kernelHeight: 3, kernelWidth: 3))
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 23, inWidth: 23, outChannels: 6,
                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2))
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 48, inWidth: 48, outChannels: 3,
                             kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                             paddingHeight: 1, paddingWidth: 1))
        check(Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 23, inWidth: 25, outChannels: 2,
                             kernelHeight: 1, kernelWidth: 1))
    }

    func testPointwise() {
        check(Conv2dGeometry(batch: 3, inChannels: 5, inHeight: 4, inWidth: 6, outChannels: 3,
                             kernelHeight: 1, kernelWidth: 1))
        check(Conv2dGeometry(batch: 1, inChannels: 4, inHeight: 5, inWidth: 5, outChannels: 6,
                             kernelHeight: 1, kernelWidth: 1, groups: 2))
        check(Conv2dGeometry(batch: 3, inChannels: 2, inHeight: 7, inWidth: 6, outChannels: 3,
                             kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 2))
        check(Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 3, inWidth: 3, outChannels: 2,
                             kernelHeight: 1, kernelWidth: 1, paddingHeight: 1, paddingWidth: 1))
    }
}
