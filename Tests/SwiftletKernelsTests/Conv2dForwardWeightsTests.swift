import XCTest
@testable import SwiftletKernels

/// Weights prepared once (`Conv2dForwardWeights`) must give what preparing them in every call
/// gives, bit for bit, on every forward path, for any batch; and must refuse a geometry whose
/// path or weight shape differs.
final class Conv2dForwardWeightsTests: XCTestCase {
    private let geometries: [(Conv2dForwardPath, Conv2dGeometry)] = [
        (.winograd, Conv2dGeometry(batch: 3, inChannels: 32, inHeight: 8, inWidth: 10, outChannels: 40,
                                   kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
        (.direct, Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 12, inWidth: 12, outChannels: 16, kernelHeight: 3, kernelWidth: 3)),
        (.direct, Conv2dGeometry(batch: 2, inChannels: 4, inHeight: 11, inWidth: 11, outChannels: 10, kernelHeight: 3, kernelWidth: 3,
                                 strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1)),
        (.product, Conv2dGeometry(batch: 2, inChannels: 8, inHeight: 10, inWidth: 10, outChannels: 40, kernelHeight: 3, kernelWidth: 3,
                                  groups: 2)),
        (.product, Conv2dGeometry(batch: 3, inChannels: 16, inHeight: 6, inWidth: 6, outChannels: 48, kernelHeight: 1, kernelWidth: 1)),
    ]

    func testPreparedWeightsGiveThePerCallResultsOnEveryPath() {
        for (path, g) in geometries {
            XCTAssertEqual(Conv2dForwardPath(g), path, "\(g)")
            let input = randomValues(g.batch * g.inChannels * g.inPlane, seed: 1)
            let weight = randomValues(g.outChannels * g.patchSize, seed: 2), bias = randomValues(g.outChannels, seed: 3)
            // Prepared for one image, used for the batch: the batch does not change the form.
            var one = g
            one.batch = 1
            let prepared = Conv2dForwardWeights(one, weight: weight)
            XCTAssertTrue(prepared.fits(g), "\(g)")
            for batch in [1, g.batch] {
                var h = g
                h.batch = batch
                forEachThreadCount([1, 2]) { threads in
                    let count = batch * h.outChannels * h.outPlane
                    var perCall = [Float](repeating: .nan, count: count), kept = perCall
                    conv2dForward(h, input: input, weight: weight, bias: bias, output: &perCall, applyingReLU: true)
                    conv2dForward(h, input: input, weight: weight, bias: bias, output: &kept, applyingReLU: true,
                                  preparedWeights: prepared)
                    XCTAssertEqual(kept.map(\.bitPattern), perCall.map(\.bitPattern), "\(h), threads \(threads)")
                }
            }
        }
    }

    func testAnotherPathOrWeightShapeDoesNotFit() {
        // 20 filters of 3×3 go the direct way on images at least 12 wide, else by product.
        let wide = Conv2dGeometry(batch: 1, inChannels: 4, inHeight: 16, inWidth: 16, outChannels: 20, kernelHeight: 3, kernelWidth: 3)
        var narrow = wide
        narrow.inWidth = 10
        XCTAssertEqual([Conv2dForwardPath(wide), Conv2dForwardPath(narrow)], [.direct, .product])
        let prepared = Conv2dForwardWeights(wide, weight: randomValues(wide.outChannels * wide.patchSize, seed: 4))
        XCTAssertFalse(prepared.fits(narrow))
        var taller = wide
        taller.inHeight = 30
        XCTAssertTrue(prepared.fits(taller), "another image size on the same path")
        var moreChannels = wide
        moreChannels.inChannels = 5
        XCTAssertFalse(prepared.fits(moreChannels))
        var otherKernel = wide
        otherKernel.kernelWidth = 5
        XCTAssertFalse(prepared.fits(otherKernel))
    }
}
