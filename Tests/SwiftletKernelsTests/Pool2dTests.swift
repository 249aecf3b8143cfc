import SwiftletKernels
import XCTest

/// The input pixels `(h, w)` of output `(oh, ow)`'s window, padding excluded, in row-major order.
private func window(_ g: Pool2dGeometry, _ oh: Int, _ ow: Int) -> [(h: Int, w: Int)] {
    let h0 = oh * g.strideHeight - g.paddingHeight, w0 = ow * g.strideWidth - g.paddingWidth
    return (h0..<(h0 + g.kernelHeight)).flatMap { h in
        (w0..<(w0 + g.kernelWidth)).map { (h: h, w: $0) }
    }.filter { $0.h >= 0 && $0.h < g.inHeight && $0.w >= 0 && $0.w < g.inWidth }
}

final class Pool2dTests: XCTestCase {
    func testGeometry() {
        let g = Pool2dGeometry(batch: 1, channels: 1, inHeight: 28, inWidth: 27, kernelHeight: 2, kernelWidth: 2)
        XCTAssertEqual(g.strideHeight, 2, "stride defaults to the kernel size")
        XCTAssertEqual(g.outHeight, 14)
        XCTAssertEqual(g.outWidth, 13, "floor mode drops the last column")
        XCTAssertTrue(g.isValid)
        let padded = Pool2dGeometry(batch: 1, channels: 1, inHeight: 7, inWidth: 7, kernelHeight: 3, kernelWidth: 3,
                                    strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1)
        XCTAssertEqual(padded.outHeight, 4)
        var tooMuchPadding = padded
        tooMuchPadding.paddingWidth = 2
        XCTAssertFalse(tooMuchPadding.isValid, "PyTorch requires padding ≤ kernel / 2")
        var tooSmall = g
        tooSmall.inHeight = 1
        XCTAssertFalse(tooSmall.isValid, "no 2×2 window fits in one row")
    }

    private static let geometries: [Pool2dGeometry] = [
        Pool2dGeometry(batch: 3, channels: 2, inHeight: 8, inWidth: 8, kernelHeight: 2, kernelWidth: 2),
        Pool2dGeometry(batch: 1, channels: 3, inHeight: 7, inWidth: 9, kernelHeight: 2, kernelWidth: 2),
        // 2×2 rows of 3 outputs (too narrow for a vector step) and of 13 (overlapping last step).
        Pool2dGeometry(batch: 1, channels: 2, inHeight: 5, inWidth: 6, kernelHeight: 2, kernelWidth: 2),
        Pool2dGeometry(batch: 3, channels: 1, inHeight: 4, inWidth: 27, kernelHeight: 2, kernelWidth: 2),
        Pool2dGeometry(batch: 3, channels: 2, inHeight: 7, inWidth: 8, kernelHeight: 3, kernelWidth: 3,
                       strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1),
        Pool2dGeometry(batch: 1, channels: 2, inHeight: 5, inWidth: 6, kernelHeight: 3, kernelWidth: 3,
                       strideHeight: 1, strideWidth: 1, paddingHeight: 1, paddingWidth: 1),
        Pool2dGeometry(batch: 3, channels: 1, inHeight: 6, inWidth: 9, kernelHeight: 2, kernelWidth: 3,
                       strideHeight: 1, strideWidth: 2, paddingHeight: 1, paddingWidth: 1),
        Pool2dGeometry(batch: 1, channels: 2, inHeight: 10, inWidth: 10, kernelHeight: 3, kernelWidth: 3),
        Pool2dGeometry(batch: 3, channels: 2, inHeight: 6, inWidth: 6, kernelHeight: 4, kernelWidth: 4,
                       strideHeight: 2, strideWidth: 2, paddingHeight: 2, paddingWidth: 2),
    ]

    private func checkMaxPool(_ g: Pool2dGeometry, input: [Float], file: StaticString = #filePath, line: UInt = #line) {
        let outCount = g.planes * g.outPlane
        let gradOutput = randomValues(outCount, seed: 6)
        var expectedOutput = [Double](), expectedArgmax = [Int32]()
        var expectedGradInput = [Double](repeating: 0, count: input.count)
        for plane in 0..<g.planes {
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    // The first maximum in row-major order, as PyTorch.
                    var best = window(g, oh, ow)[0]
                    for pixel in window(g, oh, ow)
                    where input[plane * g.inPlane + pixel.h * g.inWidth + pixel.w]
                        > input[plane * g.inPlane + best.h * g.inWidth + best.w] {
                        best = pixel
                    }
                    let index = best.h * g.inWidth + best.w
                    expectedOutput.append(Double(input[plane * g.inPlane + index]))
                    expectedArgmax.append(Int32(index))
                    expectedGradInput[plane * g.inPlane + index] +=
                        Double(gradOutput[(plane * g.outHeight + oh) * g.outWidth + ow])
                }
            }
        }
        forEachThreadCount { threads in
            var output = [Float](repeating: .nan, count: outCount)
            var argmax = [Int32](repeating: -1, count: outCount)
            var gradInput = [Float](repeating: .nan, count: input.count)
            var valuesOnly = [Float](repeating: .nan, count: outCount)
            maxPool2dForward(g, input: input, output: &output, argmax: &argmax)
            maxPool2dForward(g, input: input, output: &valuesOnly, argmax: nil)
            maxPool2dBackward(g, gradOutput: gradOutput, argmax: argmax, gradInput: &gradInput)
            assertClose(output, expectedOutput, tolerance: 0, "max-pool output \(g), threads \(threads)", file: file, line: line)
            assertClose(valuesOnly, expectedOutput, tolerance: 0, "max-pool output without argmax \(g), threads \(threads)",
                        file: file, line: line)
            XCTAssertEqual(argmax, expectedArgmax, "max-pool argmax \(g), threads \(threads)", file: file, line: line)
            assertClose(gradInput, expectedGradInput, "max-pool gradInput \(g), threads \(threads)", file: file, line: line)
        }
    }

    func testMaxPool() {
        for (i, g) in Self.geometries.enumerated() {
            checkMaxPool(g, input: randomValues(g.planes * g.inPlane, seed: UInt64(i)))
        }
    }

    func testMaxPoolTiesPickTheFirstPixel() {
        for g in Self.geometries {
            // Values from {-1, 0, 1} make ties within a window common.
            let input = randomValues(g.planes * g.inPlane, seed: 9).map { ($0 * 1.5).rounded() }
            checkMaxPool(g, input: input)
        }
    }

    func testMaxPoolPropagatesNaN() {
        // Width 4 takes the scalar path, width 8 the vector path.
        for width in [4, 8] {
            let g = Pool2dGeometry(batch: 1, channels: 1, inHeight: 2, inWidth: width, kernelHeight: 2, kernelWidth: 2)
            var input = (0..<(2 * width)).map { Float($0) }
            input[1] = .nan
            var output = [Float](repeating: 0, count: width / 2)
            var argmax = [Int32](repeating: -1, count: width / 2)
            var valuesOnly = [Float](repeating: 0, count: width / 2)
            maxPool2dForward(g, input: input, output: &output, argmax: &argmax)
            maxPool2dForward(g, input: input, output: &valuesOnly, argmax: nil)
            XCTAssertTrue(output[0].isNaN, "width \(width)")
            XCTAssertTrue(valuesOnly[0].isNaN, "width \(width), without argmax")
            XCTAssertEqual(valuesOnly[1], Float(width + 3), "width \(width), without argmax")
            XCTAssertEqual(argmax[0], 1, "width \(width)")
            XCTAssertEqual(output[1], Float(width + 3), "width \(width)")
            XCTAssertEqual(argmax[1], Int32(width + 3), "width \(width)")
        }
    }

    func testAvgPool() {
        for (i, g) in Self.geometries.enumerated() {
            let input = randomValues(g.planes * g.inPlane, seed: UInt64(i))
            let gradOutput = randomValues(g.planes * g.outPlane, seed: 7)
            for countIncludePad in [true, false] {
                var expectedOutput = [Double]()
                var expectedGradInput = [Double](repeating: 0, count: input.count)
                for plane in 0..<g.planes {
                    for oh in 0..<g.outHeight {
                        for ow in 0..<g.outWidth {
                            let pixels = window(g, oh, ow).map { plane * g.inPlane + $0.h * g.inWidth + $0.w }
                            // Counting padding, PyTorch's window stops at the padded border.
                            let h0 = oh * g.strideHeight - g.paddingHeight, w0 = ow * g.strideWidth - g.paddingWidth
                            let paddedCount = (min(h0 + g.kernelHeight, g.inHeight + g.paddingHeight) - h0)
                                * (min(w0 + g.kernelWidth, g.inWidth + g.paddingWidth) - w0)
                            let divisor = Double(countIncludePad ? paddedCount : pixels.count)
                            expectedOutput.append(pixels.reduce(0.0) { $0 + Double(input[$1]) } / divisor)
                            let grad = Double(gradOutput[(plane * g.outHeight + oh) * g.outWidth + ow])
                            for p in pixels { expectedGradInput[p] += grad / divisor }
                        }
                    }
                }
                forEachThreadCount { threads in
                    let context = "\(g), countIncludePad \(countIncludePad), threads \(threads)"
                    var output = [Float](repeating: .nan, count: expectedOutput.count)
                    var gradInput = [Float](repeating: .nan, count: input.count)
                    avgPool2dForward(g, input: input, output: &output, countIncludePad: countIncludePad)
                    avgPool2dBackward(g, gradOutput: gradOutput, gradInput: &gradInput, countIncludePad: countIncludePad)
                    assertClose(output, expectedOutput, "avg-pool output \(context)")
                    assertClose(gradInput, expectedGradInput, "avg-pool gradInput \(context)")
                }
            }
        }
    }
}
