import SwiftletKernels
import XCTest

/// The int8 kernels against naive integer loops: they must agree exactly.
final class Int8KernelTests: XCTestCase {
    private func randomCodes(_ count: Int, seed: UInt64, in range: ClosedRange<Int> = -128...127) -> [Int8] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { _ in Int8(range.lowerBound + generator.nextInt(below: range.count)) }
    }

    func testGEMMMatchesNaiveProducts() {
        for (m, n, k, seed) in [(5, 3, 1, 1), (7, 9, 31, 2), (16, 10, 250, 3), (3, 4, 1000, 4)] as [(Int, Int, Int, UInt64)] {
            let lda = k + 3, ldb = k + 5, ldc = n + 2
            let a = randomCodes(m * lda, seed: seed), b = randomCodes(n * ldb, seed: seed + 100)
            var c = [Int32](repeating: -7, count: m * ldc)
            int8GEMM(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: ldc)
            for i in 0..<m {
                for j in 0..<n {
                    let expected = (0..<k).reduce(Int32(0)) { $0 + Int32(a[i * lda + $1]) * Int32(b[j * ldb + $1]) }
                    XCTAssertEqual(c[i * ldc + j], expected, "m \(m) n \(n) k \(k) at (\(i), \(j))")
                }
                XCTAssertEqual(c[i * ldc + n], -7, "the padding column of C was written")
            }
        }
    }

    func testGEMMExtremeCodesDoNotOverflow() {
        let k = 4096
        let a = [Int8](repeating: -128, count: k), b = [Int8](repeating: -128, count: k)
        var c: [Int32] = [0]
        int8GEMM(m: 1, n: 1, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: 1)
        XCTAssertEqual(c[0], Int32(k) * 16384)
    }

    /// The packed (register-tiled VNNI where built) product against the reference dot-product
    /// kernel, on sizes that leave partial row tiles, partial and odd panels, and depths that
    /// are not whole groups of 4 or 32 — extreme codes included.
    func testPackedProductMatchesReferenceKernel() {
        let sizes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (7, 9, 31), (8, 16, 32), (9, 17, 3), (13, 33, 250), (64, 50, 320),
                                                 (5, 48, 7), (17, 10, 25), (3, 31, 1029)]
        for (index, size) in sizes.enumerated() {
            let lda = size.k + 2, ldw = size.k + 5, ldc = size.n + 3
            var a = randomCodes(size.m * lda, seed: UInt64(200 + index)), w = randomCodes(size.n * ldw, seed: UInt64(300 + index))
            a[0] = -128; a[lda - 1] = 127; w[0] = -128; w[ldw - 1] = 127
            var expected = [Int32](repeating: -7, count: size.m * ldc), actual = expected
            int8GEMM(m: size.m, n: size.n, k: size.k, a: a, lda: lda, b: w, ldb: ldw, c: &expected, ldc: ldc)
            Int8PackedWeights(w, rows: size.n, depth: size.k, ldw: ldw).multiply(m: size.m, a: a, lda: lda, c: &actual, ldc: ldc)
            XCTAssertEqual(actual, expected, "m \(size.m) n \(size.n) k \(size.k)")
        }
    }

    /// The packed product against the reference kernel on random shapes: ragged row tiles,
    /// widths that are not whole panels, odd depths and depths that are not whole groups —
    /// and all-extreme codes, whose pair sums (2·128² = 2¹⁵) saturate 16-bit arithmetic.
    func testPackedProductMatchesReferenceOnRandomShapes() {
        var generator = SeededRandom(seed: 26)
        for trial in 0..<40 {
            let m = 1 + generator.nextInt(below: 40), n = 1 + generator.nextInt(below: 70), k = 1 + generator.nextInt(below: 300)
            let lda = k + generator.nextInt(below: 4), ldw = k + generator.nextInt(below: 4), ldc = n + generator.nextInt(below: 3)
            let extreme = trial % 8 == 0
            let a = extreme ? [Int8](repeating: -128, count: m * lda) : randomCodes(m * lda, seed: UInt64(500 + trial))
            let w = extreme ? [Int8](repeating: -128, count: n * ldw) : randomCodes(n * ldw, seed: UInt64(600 + trial))
            var expected = [Int32](repeating: -7, count: m * ldc), actual = expected
            int8GEMM(m: m, n: n, k: k, a: a, lda: lda, b: w, ldb: ldw, c: &expected, ldc: ldc)
            Int8PackedWeights(w, rows: n, depth: k, ldw: ldw).multiply(m: m, a: a, lda: lda, c: &actual, ldc: ldc)
            XCTAssertEqual(actual, expected, "m \(m) n \(n) k \(k) lda \(lda) ldw \(ldw) ldc \(ldc)")
        }
    }

    /// Input quantization against the scalar definition: ties, both clamps, infinities, NaN,
    /// values far beyond Int32, and a count that is not a whole number of vector steps.
    func testQuantizeMatchesScalarDefinition() {
        var generator = SeededRandom(seed: 21)
        var x = (0..<37).map { _ in Float(generator.nextInt(below: 2001) - 1000) * 0.01 }
        x[0...8] = [0.25, -0.25, 0.75, 3e38, -3e38, .infinity, -.infinity, .nan, 1.25]
        let scale: Float = 0.05
        for (zeroPoint, lower, upper, shift) in [(Int32(37), Int32(0), Int32(255), Int32(128)), (Int32(0), Int32(-127), Int32(127), Int32(0))] {
            var out = [Int8](repeating: 0, count: x.count)
            quantizeToInt8(x, count: x.count, scale: scale, zeroPoint: zeroPoint, lowerBound: lower, upperBound: upper, shift: shift, output: &out)
            for (i, value) in x.enumerated() {
                let scaled = value / scale
                let level = scaled.isNaN ? Float(zeroPoint) : min(max(scaled.rounded(.toNearestOrEven) + Float(zeroPoint), Float(lower)), Float(upper))
                XCTAssertEqual(out[i], Int8(truncatingIfNeeded: Int32(level) - shift), "x = \(value), zero point \(zeroPoint)")
            }
        }
    }

    /// Both output layouts, more channels than one vector step, and accumulators far outside
    /// the code range (they must clamp, not wrap); sizes with and without whole 8 × 8 blocks
    /// and with ragged rows and columns around them.
    func testRequantizeMatchesReferenceWithBiasReLUAndStrides() {
        for (m, n) in [(6, 19), (21, 10), (16, 8), (9, 3), (3, 12)] {
            var generator = SeededRandom(seed: UInt64(7 + m))
            var acc = (0..<(m * n)).map { _ in Int32(generator.nextInt(below: 40001)) - 20000 }
            acc[1] = 2_000_000_000
            acc[n + 2] = -2_000_000_000
            let bias = (0..<n).map { _ in Int32(generator.nextInt(below: 2001)) - 1000 }
            let multipliers = (0..<n).map { _ in Float(generator.nextInt(below: 200) + 1) * 0.0001 }
            for (lower, zeroPoint, transposed) in [(Int8(-128), Int32(-3), true), (Int8(-3), Int32(-3), true), (Int8(-128), Int32(5), false)] {
                // Plain, fused ReLU (lower = zero point), then row-major output.
                var out = [Int8](repeating: 0, count: m * n)
                requantizeToInt8(m: m, n: n, accumulators: acc, ldAccumulators: n, bias: bias, multipliers: multipliers, zeroPoint: zeroPoint,
                                 lowerBound: lower, upperBound: 127, output: &out, rowStride: transposed ? 1 : n, columnStride: transposed ? m : 1)
                for i in 0..<m {
                    for j in 0..<n {
                        let real = Double(acc[i * n + j] + bias[j]) * Double(multipliers[j])
                        let level = (Float(acc[i * n + j] + bias[j]) * multipliers[j]).rounded(.toNearestOrEven) + Float(zeroPoint)
                        let expected = Int8(min(max(level, Float(lower)), 127))
                        XCTAssertEqual(out[transposed ? j * m + i : i * n + j], expected, "\(m)×\(n) at (\(i), \(j))")
                        // And within one code of the exact real-valued requantization.
                        XCTAssertLessThanOrEqual(abs(Double(expected) - min(max((real.rounded() + Double(zeroPoint)), Double(lower)), 127)), 1)
                    }
                }
                if lower == -3 { XCTAssertTrue(out.allSatisfy { $0 >= -3 }, "fused ReLU left codes below the zero point") }
            }
        }
    }

    /// Strides, padding and kernel widths for the direct path (kernel rows of 1, 2, 3 and 5 in
    /// groups of 4 or pairs), dilation for the im2col path.
    func testConvolutionMatchesDirectIntegerConvolution() {
        for (stride, padding, dilation, kernelWidth) in [(1, 0, 1, 2), (2, 1, 1, 2), (1, 2, 2, 2), (1, 0, 1, 5), (2, 2, 1, 5),
                                                          (1, 1, 1, 3), (2, 0, 1, 1)] {
            let g = Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 9, inWidth: 8, outChannels: 4, kernelHeight: 3, kernelWidth: kernelWidth,
                                   strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding,
                                   dilationHeight: dilation, dilationWidth: dilation)
            let window = 3 * 3 * kernelWidth
            let image = randomCodes(3 * 9 * 8, seed: 11)
            let filters = randomCodes(4 * window, seed: 12)
            let positions = g.outHeight * g.outWidth, padCode: Int8 = -9
            let convolution = Int8Convolution(g, filters: filters, paddingCode: padCode)
            var scratch = [Int8](repeating: 1, count: convolution.scratchCount)
            var acc = [Int32](repeating: 0, count: positions * 4)
            convolution.accumulate(image: image, scratch: &scratch, accumulators: &acc)
            for o in 0..<4 {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        var sum: Int32 = 0
                        for c in 0..<3 { for kh in 0..<3 { for kw in 0..<kernelWidth {
                            let ih = oh * stride - padding + kh * dilation, iw = ow * stride - padding + kw * dilation
                            let x = ih >= 0 && ih < 9 && iw >= 0 && iw < 8 ? image[(c * 9 + ih) * 8 + iw] : padCode
                            sum += Int32(x) * Int32(filters[((o * 3 + c) * 3 + kh) * kernelWidth + kw])
                        }}}
                        XCTAssertEqual(acc[(oh * g.outWidth + ow) * 4 + o], sum, "stride \(stride) padding \(padding) width \(kernelWidth) at \(o),\(oh),\(ow)")
                    }
                }
            }
        }
    }

    /// A padded 3×2 window (the general loop) and the 2×2 stride-2 fast path on an odd width,
    /// on rows longer than one 32-output vector step and on one of exactly 8 outputs (AVX2's step).
    func testMaxPoolMatchesNaiveMaximum() {
        for (kernelHeight, padding, width, seed) in [(3, 1, 9, 13), (2, 0, 9, 14), (2, 0, 75, 15), (2, 0, 16, 16)] as [(Int, Int, Int, UInt64)] {
            let g = Pool2dGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: width, kernelHeight: kernelHeight, kernelWidth: 2,
                                   strideHeight: 2, strideWidth: 2, paddingHeight: padding, paddingWidth: padding)
            let input = randomCodes(2 * 3 * 7 * width, seed: seed)
            var output = [Int8](repeating: 0, count: 2 * 3 * g.outHeight * g.outWidth)
            int8MaxPool2d(g, input: input, output: &output)
            for plane in 0..<6 { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
                var best = Int8.min
                for kh in 0..<kernelHeight { for kw in 0..<2 {
                    let ih = oh * 2 - padding + kh, iw = ow * 2 - padding + kw
                    if ih >= 0 && ih < 7 && iw >= 0 && iw < width { best = max(best, input[(plane * 7 + ih) * width + iw]) }
                }}
                XCTAssertEqual(output[(plane * g.outHeight + oh) * g.outWidth + ow], best, "kernel \(kernelHeight)×2 at \(plane),\(oh),\(ow)")
            }}}
        }
    }

    func testInt32PositionPoolingMatchesNaiveMaximum() {
        // 20 channels: two vectors of 8 and four one by one; 3 channels: none in vectors.
        for (channels, kernel, stride, padding) in [(20, 2, 2, 0), (3, 3, 2, 1), (16, 3, 1, 1)] {
            let g = Pool2dGeometry(batch: 1, channels: channels, inHeight: 7, inWidth: 6, kernelHeight: kernel, kernelWidth: kernel,
                                   strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding)
            var generator = SeededRandom(seed: UInt64(channels))
            let input = (0..<(7 * 6 * channels)).map { _ in Int32(truncatingIfNeeded: generator.next()) }
            var output = [Int32](repeating: 0, count: g.outHeight * g.outWidth * channels)
            int32MaxPoolPositions(g, input: input, output: &output)
            for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<channels {
                var best = Int32.min
                for kh in 0..<kernel { for kw in 0..<kernel {
                    let ih = oh * stride - padding + kh, iw = ow * stride - padding + kw
                    if ih >= 0 && ih < 7 && iw >= 0 && iw < 6 { best = max(best, input[(ih * 6 + iw) * channels + c]) }
                }}
                XCTAssertEqual(output[(oh * g.outWidth + ow) * channels + c], best, "\(channels) channels, kernel \(kernel), at \(oh),\(ow),\(c)")
            }}}
        }
    }
}
