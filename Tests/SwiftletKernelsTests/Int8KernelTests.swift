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

    func testRequantizeMatchesReferenceWithBiasReLUAndStrides() {
        let m = 6, n = 5
        var generator = SeededRandom(seed: 7)
        let acc = (0..<(m * n)).map { _ in Int32(generator.nextInt(below: 40001)) - 20000 }
        let bias: [Int32] = [-300, 0, 17, 1200, -5]
        let multipliers: [Float] = [0.004, 0.01, 0.0007, 0.02, 0.003]
        for (lower, zeroPoint) in [(Int8(-128), Int32(-3)), (Int8(-3), Int32(-3))] {  // plain, then fused ReLU
            var out = [Int8](repeating: 0, count: m * n)
            requantizeToInt8(m: m, n: n, accumulators: acc, ldAccumulators: n, bias: bias, multipliers: multipliers, zeroPoint: zeroPoint,
                             lowerBound: lower, upperBound: 127, output: &out, rowStride: 1, columnStride: m)
            for i in 0..<m {
                for j in 0..<n {
                    let real = Double(acc[i * n + j] + bias[j]) * Double(multipliers[j])
                    let level = (Float(acc[i * n + j] + bias[j]) * multipliers[j]).rounded(.toNearestOrEven) + Float(zeroPoint)
                    let expected = Int8(min(max(level, Float(lower)), 127))
                    XCTAssertEqual(out[j * m + i], expected, "(\(i), \(j))")
                    // And within one code of the exact real-valued requantization.
                    XCTAssertLessThanOrEqual(abs(Double(expected) - min(max((real.rounded() + Double(zeroPoint)), Double(lower)), 127)), 1)
                }
            }
            if lower == -3 { XCTAssertTrue(out.allSatisfy { $0 >= -3 }, "fused ReLU left codes below the zero point") }
        }
    }

    func testConvolutionMatchesDirectIntegerConvolution() {
        for (stride, padding, dilation) in [(1, 0, 1), (2, 1, 1), (1, 2, 2)] {
            let g = Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 9, inWidth: 8, outChannels: 4, kernelHeight: 3, kernelWidth: 2,
                                   strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding,
                                   dilationHeight: dilation, dilationWidth: dilation)
            let window = 3 * 3 * 2
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
                        for c in 0..<3 { for kh in 0..<3 { for kw in 0..<2 {
                            let ih = oh * stride - padding + kh * dilation, iw = ow * stride - padding + kw * dilation
                            let x = ih >= 0 && ih < 9 && iw >= 0 && iw < 8 ? image[(c * 9 + ih) * 8 + iw] : padCode
                            sum += Int32(x) * Int32(filters[((o * 3 + c) * 3 + kh) * 2 + kw])
                        }}}
                        XCTAssertEqual(acc[(oh * g.outWidth + ow) * 4 + o], sum, "stride \(stride) padding \(padding) at \(o),\(oh),\(ow)")
                    }
                }
            }
        }
    }

    /// A padded 3×2 window (the general loop) and the 2×2 stride-2 fast path on odd sizes.
    func testMaxPoolMatchesNaiveMaximum() {
        for (kernelHeight, padding, seed) in [(3, 1, 13), (2, 0, 14)] as [(Int, Int, UInt64)] {
            let g = Pool2dGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 9, kernelHeight: kernelHeight, kernelWidth: 2,
                                   strideHeight: 2, strideWidth: 2, paddingHeight: padding, paddingWidth: padding)
            let input = randomCodes(2 * 3 * 7 * 9, seed: seed)
            var output = [Int8](repeating: 0, count: 2 * 3 * g.outHeight * g.outWidth)
            int8MaxPool2d(g, input: input, output: &output)
            for plane in 0..<6 { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
                var best = Int8.min
                for kh in 0..<kernelHeight { for kw in 0..<2 {
                    let ih = oh * 2 - padding + kh, iw = ow * 2 - padding + kw
                    if ih >= 0 && ih < 7 && iw >= 0 && iw < 9 { best = max(best, input[plane * 63 + ih * 9 + iw]) }
                }}
                XCTAssertEqual(output[(plane * g.outHeight + oh) * g.outWidth + ow], best, "kernel \(kernelHeight)×2 at \(plane),\(oh),\(ow)")
            }}}
        }
    }
}
