import Swiftlet
import XCTest

// Chapter 7 of docs/autograd/: convolution backward derived from the six-loop definition,
// then the same three results computed the way Swiftlet's kernels do (im2col, Wᵀ·G,
// col2im), each checked against `conv2d` and its autograd gradients.

// ANCHOR: geometry
/// A square-kernel convolution of x [N, C, H, W] by w [O, C, k, k] with stride s and zero
/// padding `pad`: the output is [N, O, P, Q] with P = (H + 2·pad − k)/s + 1 (Q likewise).
struct ConvGeometry {
    let batch, channels, height, width, outChannels, kernel, stride, padding: Int
    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }

    /// Where x[n, c, h, w] is stored, or nil when (h, w) falls in the padding (a zero).
    func input(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int? {
        (0..<height).contains(h) && (0..<width).contains(w) ? ((n * channels + c) * height + h) * width + w : nil
    }
}
// ANCHOR_END: geometry

// ANCHOR: six-loops
/// Calls `term(output, weight, input)` for every product w[o, c, i, j] · x[n, c, h, w] in
///     y[n, o, p, q] = b[o] + Σ_c Σ_i Σ_j w[o, c, i, j] · x[n, c, p·s + i − pad, q·s + j − pad]
/// with the storage index of each factor; products with the padding (zero) are skipped.
func forEachProduct(_ g: ConvGeometry, _ term: (_ output: Int, _ weight: Int, _ input: Int) -> Void) {
    for n in 0..<g.batch {
        for o in 0..<g.outChannels {
            for p in 0..<g.outHeight {
                for q in 0..<g.outWidth {
                    let output = ((n * g.outChannels + o) * g.outHeight + p) * g.outWidth + q
                    for c in 0..<g.channels {
                        for i in 0..<g.kernel {
                            for j in 0..<g.kernel {
                                guard let input = g.input(n, c, p * g.stride + i - g.padding, q * g.stride + j - g.padding) else { continue }
                                term(output, ((o * g.channels + c) * g.kernel + i) * g.kernel + j, input)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The definition, computed term by term.
func sixLoopConvolution(_ g: ConvGeometry, x: [Float], w: [Float], b: [Float]) -> [Float] {
    let plane = g.outHeight * g.outWidth
    var y = (0..<(g.batch * g.outChannels * plane)).map { b[($0 / plane) % g.outChannels] }
    forEachProduct(g) { output, weight, input in y[output] += w[weight] * x[input] }
    return y
}

/// Each product w·x sends G[output]·x to ∂w and G[output]·w to ∂x; ∂b[o] sums G over n, p, q.
func sixLoopGradients(_ g: ConvGeometry, x: [Float], w: [Float], gradOutput: [Float]) -> (x: [Float], w: [Float], b: [Float]) {
    var gradX = [Float](repeating: 0, count: x.count), gradW = [Float](repeating: 0, count: w.count)
    forEachProduct(g) { output, weight, input in
        gradW[weight] += gradOutput[output] * x[input]
        gradX[input] += gradOutput[output] * w[weight]
    }
    let plane = g.outHeight * g.outWidth
    var gradB = [Float](repeating: 0, count: g.outChannels)
    for (index, value) in gradOutput.enumerated() { gradB[(index / plane) % g.outChannels] += value }
    return (gradX, gradW, gradB)
}
// ANCHOR_END: six-loops

// ANCHOR: im2col
/// Calls `entry(row, column, input)` for every entry of image n's patch matrix X_col
/// [C·k·k, P·Q]: row (c, i, j), column (p, q), holding x[n, c, p·s + i − pad, q·s + j − pad].
func forEachPatchEntry(_ g: ConvGeometry, image n: Int, _ entry: (_ row: Int, _ column: Int, _ input: Int) -> Void) {
    for c in 0..<g.channels {
        for i in 0..<g.kernel {
            for j in 0..<g.kernel {
                let row = (c * g.kernel + i) * g.kernel + j
                for p in 0..<g.outHeight {
                    for q in 0..<g.outWidth {
                        guard let input = g.input(n, c, p * g.stride + i - g.padding, q * g.stride + j - g.padding) else { continue }
                        entry(row, p * g.outWidth + q, input)
                    }
                }
            }
        }
    }
}

/// im2col: gathers image n's patches into X_col, so that Y_n = W · X_col with W as [O, C·k·k].
func im2col(_ g: ConvGeometry, _ x: [Float], image n: Int) -> Tensor {
    let columns = g.outHeight * g.outWidth
    var patches = [Float](repeating: 0, count: g.channels * g.kernel * g.kernel * columns)
    forEachPatchEntry(g, image: n) { row, column, input in patches[row * columns + column] = x[input] }
    return Tensor(shape: [g.channels * g.kernel * g.kernel, columns], scalars: patches)
}

/// col2im, the adjoint of im2col: every entry of ∂X_col adds into the input pixel it was
/// copied from (a pixel under several windows receives several shares).
func col2im(_ g: ConvGeometry, _ gradPatches: Tensor, image n: Int, into gradX: inout [Float]) {
    let columns = g.outHeight * g.outWidth
    forEachPatchEntry(g, image: n) { row, column, input in gradX[input] += gradPatches.scalars[row * columns + column] }
}

/// The three gradients as matrix products: per image, ∂W += G_n · X_colᵀ, ∂X_col = Wᵀ · G_n
/// scattered back by col2im, and ∂b sums G_n's rows.
func im2colGradients(_ g: ConvGeometry, x: [Float], w: Tensor, gradOutput: Tensor) throws -> (x: [Float], w: Tensor, b: Tensor) {
    let weights = try w.reshaped([g.outChannels, g.channels * g.kernel * g.kernel])
    let perImage = try gradOutput.reshaped([g.batch, g.outChannels, g.outHeight * g.outWidth])
    var gradX = [Float](repeating: 0, count: x.count)
    var gradW = Tensor.zeros(weights.shape)
    for n in 0..<g.batch {
        let gradY = try perImage.sliced(alongAxis: 0, n..<(n + 1)).reshaped([g.outChannels, g.outHeight * g.outWidth])
        gradW = try gradW + gradY.matmul(im2col(g, x, image: n).transposed())
        col2im(g, try weights.transposed().matmul(gradY), image: n, into: &gradX)
    }
    return (gradX, try gradW.reshaped(w.shape), try perImage.sum(alongAxes: [0, 2]))
}
// ANCHOR_END: im2col

final class ConvolutionDerivationTests: XCTestCase {
    private let g = ConvGeometry(batch: 2, channels: 3, height: 7, width: 6, outChannels: 4, kernel: 3, stride: 2, padding: 1)

    /// Swiftlet's conv2d and its autograd gradients for a seed `gradOutput`.
    private func swiftlet() throws -> (x: Tensor, w: Tensor, b: Tensor, y: Tensor, gradOutput: Tensor) {
        let x = spreadTensor([g.batch, g.channels, g.height, g.width], seed: 1)
        let w = spreadTensor([g.outChannels, g.channels, g.kernel, g.kernel], seed: 2)
        let b = spreadTensor([g.outChannels], seed: 3)
        for t in [x, w, b] { t.requiresGrad = true }
        let y = try conv2d(x, weight: w, bias: b, stride: Size2D(integerLiteral: g.stride), padding: Size2D(integerLiteral: g.padding))
        let gradOutput = spreadTensor(y.shape, seed: 4)
        try y.backward(gradOutput)
        return (x, w, b, y, gradOutput)
    }

    func testSixLoopsAgreeWithConv2d() throws {
        let r = try swiftlet()
        XCTAssertEqual(r.y.shape, [2, 4, 4, 3])
        assertClose(sixLoopConvolution(g, x: r.x.scalars, w: r.w.scalars, b: r.b.scalars), r.y.scalars, rtol: 1e-4, atol: 1e-4, "y")
        let grads = sixLoopGradients(g, x: r.x.scalars, w: r.w.scalars, gradOutput: r.gradOutput.scalars)
        assertClose(grads.x, try XCTUnwrap(r.x.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂x")
        assertClose(grads.w, try XCTUnwrap(r.w.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂w")
        assertClose(grads.b, try XCTUnwrap(r.b.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂b")
    }

    func testIm2colProductsAgreeWithConv2d() throws {
        let r = try swiftlet()
        let weights = try r.w.detached().reshaped([g.outChannels, g.channels * g.kernel * g.kernel])
        let firstImage = try weights.matmul(im2col(g, r.x.scalars, image: 0))  // Y_0 = W · X_col, before the bias
        let expected = try r.y.detached().sliced(alongAxis: 0, 0..<1) - r.b.detached().reshaped([1, g.outChannels, 1, 1])
        assertClose(firstImage.scalars, expected.scalars, rtol: 1e-4, atol: 1e-4, "Y_0")
        let grads = try im2colGradients(g, x: r.x.scalars, w: r.w.detached(), gradOutput: r.gradOutput)
        assertClose(grads.x, try XCTUnwrap(r.x.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂x")
        assertClose(grads.w.scalars, try XCTUnwrap(r.w.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂w")
        assertClose(grads.b.scalars, try XCTUnwrap(r.b.grad).scalars, rtol: 1e-4, atol: 1e-4, "∂b")
    }
}
