import XCTest
@testable import SwiftletKernels

/// The Winograd F(2×2, 3×3) paths of 3×3, stride-1, padding-1 layers (forward, input gradient
/// as the adjoint convolution, weight gradient through the transformed domain), checked
/// against the definition summed in Double: planes of odd size, rows wider than one 16-tile
/// vector, images split over several bands and several images per band.
final class WinogradConvolutionTests: XCTestCase {
    private func check(_ g: Conv2dGeometry, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(g.isValid && g.usesWinograd, "\(g)", file: file, line: line)
        assertPassesMatchTheDefinition(g, seed: 21, file: file, line: line)
    }

    private func geometry(batch: Int, channels: Int, filters: Int, height: Int, width: Int) -> Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: channels, inHeight: height, inWidth: width, outChannels: filters,
                       kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
    }

    /// The fewest channels that take the Winograd path.
    private let c = WinogradConvolution.minimumChannels

    func testResNetAndVGGStages() {
        // 32×32, 16×16 and 8×8 planes (a CIFAR ResNet's and VGG's stages) on small batches.
        let stages = [geometry(batch: 3, channels: c, filters: c, height: 32, width: 32),
                      geometry(batch: 5, channels: c, filters: 2 * c, height: 16, width: 16),
                      geometry(batch: 9, channels: 2 * c, filters: 2 * c, height: 8, width: 8)]
        for g in stages {
            // Their forward pass writes V straight into the product's packed panels.
            XCTAssertTrue(WinogradConvolution.Tiling(g).vectorsFillPanels, "\(g)")
            check(g)
        }
    }

    func testOddPlanesWideRowsAndBands() {
        // Odd height and width: the last tile row and column are half outside the plane.
        let odd = geometry(batch: 4, channels: c, filters: c + 8, height: 7, width: 9)
        XCTAssertFalse(WinogradConvolution.Tiling(odd).vectorsFillPanels)  // 20 tiles an image: packed per band
        check(odd)
        check(geometry(batch: 2, channels: c + 4, filters: c, height: 15, width: 13))
        // 40 columns: two 16-tile vectors per tile row, the second partly used; and bands of a
        // few tile rows, so that images straddle bands.
        let wide = geometry(batch: 3, channels: c, filters: c + 8, height: 40, width: 40)
        XCTAssertLessThan(WinogradConvolution.Tiling(wide).bandRows, 20)
        check(wide)
        // Rows of 7 and 3 tiles (neither a whole, half nor quarter vector); a single image.
        check(geometry(batch: 1, channels: c + 1, filters: c + 17, height: 14, width: 6))
    }

    func testOtherLayersKeepTheirPaths() {
        // Too few channels, another kernel size, stride, padding or groups: not Winograd.
        XCTAssertFalse(geometry(batch: 2, channels: 3, filters: c, height: 32, width: 32).usesWinograd)
        XCTAssertFalse(geometry(batch: 2, channels: c, filters: c - 1, height: 32, width: 32).usesWinograd)
        XCTAssertFalse(Conv2dGeometry(batch: 2, inChannels: c, inHeight: 8, inWidth: 8, outChannels: c,
                                      kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                      paddingHeight: 1, paddingWidth: 1).usesWinograd)
        XCTAssertFalse(Conv2dGeometry(batch: 2, inChannels: c, inHeight: 8, inWidth: 8, outChannels: c,
                                      kernelHeight: 3, kernelWidth: 3).usesWinograd)
        XCTAssertFalse(Conv2dGeometry(batch: 2, inChannels: 2 * c, inHeight: 8, inWidth: 8, outChannels: 2 * c,
                                      kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 2).usesWinograd)
    }
}
