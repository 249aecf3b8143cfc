import XCTest
@testable import SwiftletKernels

/// The im2col + GEMM convolution against direct loops in Double, over geometries that
/// exercise stride, padding, dilation, groups, the pointwise shortcut and uneven batch splits.
final class ConvolutionTests: XCTestCase {
    private let geometries = [
        Conv2dGeometry(batch: 5, inChannels: 3, inHeight: 9, inWidth: 7, outChannels: 4, kernelHeight: 3, kernelWidth: 2,
                       strideHeight: 2, strideWidth: 1, paddingHeight: 1, paddingWidth: 2),
        Conv2dGeometry(batch: 3, inChannels: 4, inHeight: 8, inWidth: 8, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                       dilationHeight: 2, dilationWidth: 2, groups: 2),
        Conv2dGeometry(batch: 2, inChannels: 4, inHeight: 5, inWidth: 6, outChannels: 4, kernelHeight: 3, kernelWidth: 3,
                       strideHeight: 3, strideWidth: 2, paddingHeight: 1, paddingWidth: 1, groups: 4),
        Conv2dGeometry(batch: 3, inChannels: 5, inHeight: 4, inWidth: 3, outChannels: 2, kernelHeight: 1, kernelWidth: 1),
        Conv2dGeometry(batch: 7, inChannels: 1, inHeight: 12, inWidth: 12, outChannels: 3, kernelHeight: 5, kernelWidth: 5),
    ]

    func testForwardAndBackwardMatchDirectLoops() {
        for threads in [1, 2] {
            Parallel.threads = threads
            for g in geometries {
                XCTAssertTrue(g.isValid)
                var random = SeededRandom(seed: 1)
                let x = (0..<(g.batch * g.inChannels * g.inPlane)).map { _ in random.nextUniform(-1, 1) }
                let w = (0..<(g.outChannels * g.patchSize)).map { _ in random.nextUniform(-1, 1) }
                let b = (0..<g.outChannels).map { _ in random.nextUniform(-1, 1) }
                let gy = (0..<(g.batch * g.outChannels * g.outPlane)).map { _ in random.nextUniform(-1, 1) }
                var y = [Float](repeating: .nan, count: gy.count)
                var gx = [Float](repeating: .nan, count: x.count)
                var gw = [Float](repeating: .nan, count: w.count)
                var gb = [Float](repeating: .nan, count: b.count)
                conv2dForward(g, input: x, weight: w, bias: b, output: &y)
                conv2dBackwardInput(g, gradOutput: gy, weight: w, gradInput: &gx)
                conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: &gw, gradBias: &gb)

                var (ry, rgx, rgw, rgb) = ([Double](repeating: 0, count: y.count), [Double](repeating: 0, count: x.count),
                                           [Double](repeating: 0, count: w.count), [Double](repeating: 0, count: b.count))
                forEachTap(g) { o, i, k, c in
                    ry[o] += Double(x[i]) * Double(w[k])
                    rgx[i] += Double(gy[o]) * Double(w[k])
                    rgw[k] += Double(gy[o]) * Double(x[i])
                    _ = c
                }
                for o in 0..<y.count {
                    let c = (o / g.outPlane) % g.outChannels
                    ry[o] += Double(b[c])
                    rgb[c] += Double(gy[o])
                }
                assertClose(y, ry, "\(g) forward")
                assertClose(gx, rgx, "\(g) gradInput")
                assertClose(gw, rgw, "\(g) gradWeight")
                assertClose(gb, rgb, "\(g) gradBias")
            }
        }
        Parallel.threads = 2
    }

    func testWeightGradientIsIdenticalAcrossRuns() {
        let g = geometries[4]
        var random = SeededRandom(seed: 2)
        let x = (0..<(g.batch * g.inChannels * g.inPlane)).map { _ in random.nextUniform(-1, 1) }
        let gy = (0..<(g.batch * g.outChannels * g.outPlane)).map { _ in random.nextUniform(-1, 1) }
        var first = [Float](repeating: 0, count: g.outChannels * g.patchSize), again = first
        conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: &first, gradBias: nil)
        for _ in 0..<5 {
            conv2dBackwardWeight(g, input: x, gradOutput: gy, gradWeight: &again, gradBias: nil)
            XCTAssertEqual(first, again)  // bit for bit: the reduction order is fixed
        }
    }

    /// Calls body(outputIndex, inputIndex, weightIndex, outChannel) for every multiply of the convolution.
    private func forEachTap(_ g: Conv2dGeometry, _ body: (Int, Int, Int, Int) -> Void) {
        let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
        for n in 0..<g.batch { for co in 0..<g.outChannels { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let o = ((n * g.outChannels + co) * g.outHeight + oh) * g.outWidth + ow
            for ci in 0..<cinG { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                guard ih >= 0, ih < g.inHeight, iw >= 0, iw < g.inWidth else { continue }
                let i = ((n * g.inChannels + (co / coutG) * cinG + ci) * g.inHeight + ih) * g.inWidth + iw
                body(o, i, ((co * cinG + ci) * g.kernelHeight + kh) * g.kernelWidth + kw, co)
            }}}
        }}}}
    }

    private func assertClose(_ actual: [Float], _ expected: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where abs(Double(a) - e) > 1e-4 * max(1, abs(e)) {
            XCTFail("\(what): element \(i) is \(a), expected \(e)", file: file, line: line)
            return
        }
    }
}

final class PoolingTests: XCTestCase {
    func testMaxPoolFastPathAgreesWithGeneralPath() {
        // 2×2 stride 2 takes the fast path: compare it with a direct loop on data full of
        // ties and holding a NaN (first maximum wins; NaN wins).
        let g = Pool2dGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 6, kernelHeight: 2, kernelWidth: 2,
                               strideHeight: 2, strideWidth: 2)
        var random = SeededRandom(seed: 3)
        var x = (0..<(g.planes * g.inPlane)).map { _ in Float(random.nextInt(below: 5)) }  // many ties
        x[9] = .nan
        var y = [Float](repeating: 0, count: g.planes * g.outPlane)
        var argmax = [Int32](repeating: -1, count: y.count)
        maxPool2dForward(g, input: x, output: &y, argmax: &argmax)
        for p in 0..<g.planes { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            var best = -Float.infinity, at = -1
            for dh in 0..<2 { for dw in 0..<2 {
                let i = (2 * oh + dh) * g.inWidth + 2 * ow + dw
                let v = x[p * g.inPlane + i]
                if at < 0 || (v > best && !best.isNaN) || (v.isNaN && !best.isNaN) { best = v; at = i }
            }}
            let o = (p * g.outHeight + oh) * g.outWidth + ow
            XCTAssertEqual(Int(argmax[o]), at, "plane \(p) output (\(oh), \(ow))")
            XCTAssertTrue(y[o] == best || (y[o].isNaN && best.isNaN))
        }}}
    }
}
