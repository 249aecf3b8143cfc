import SwiftletKernels

/// Visits every (input, weight, output) index triple of a convolution whose input pixel is
/// not padding, straight from the definition: the oracle the kernels are checked against.
func forEachTap(_ g: Conv2dGeometry, _ visit: (_ input: Int, _ weight: Int, _ output: Int) -> Void) {
    let inPerGroup = g.inChannels / g.groups, outPerGroup = g.outChannels / g.groups
    for n in 0..<g.batch {
        for o in 0..<g.outChannels {
            let group = o / outPerGroup
            for oh in 0..<g.outHeight {
                for ow in 0..<g.outWidth {
                    let output = ((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow
                    for c in 0..<inPerGroup {
                        for i in 0..<g.kernelHeight {
                            let ih = oh * g.strideHeight - g.paddingHeight + i * g.dilationHeight
                            guard ih >= 0 && ih < g.inHeight else { continue }
                            for j in 0..<g.kernelWidth {
                                let iw = ow * g.strideWidth - g.paddingWidth + j * g.dilationWidth
                                guard iw >= 0 && iw < g.inWidth else { continue }
                                let ic = group * inPerGroup + c
                                let input = ((n * g.inChannels + ic) * g.inHeight + ih) * g.inWidth + iw
                                let weight = ((o * inPerGroup + c) * g.kernelHeight + i) * g.kernelWidth + j
                                visit(input, weight, output)
                            }
                        }
                    }
                }
            }
        }
    }
}

struct ConvReference {
    var output: [Double], gradInput: [Double], gradWeight: [Double], gradBias: [Double]

    init(_ g: Conv2dGeometry, input: [Float], weight: [Float], bias: [Float], gradOutput: [Float]) {
        let outPlane = g.outHeight * g.outWidth
        output = (0..<(g.batch * g.outChannels * outPlane)).map { Double(bias[($0 / outPlane) % g.outChannels]) }
        gradInput = [Double](repeating: 0, count: input.count)
        gradWeight = [Double](repeating: 0, count: weight.count)
        gradBias = (0..<g.outChannels).map { o in
            (0..<g.batch).reduce(0.0) { total, n in
                let start = (n * g.outChannels + o) * outPlane
                return total + gradOutput[start..<(start + outPlane)].reduce(0.0) { $0 + Double($1) }
            }
        }
        var output = self.output, gradInput = self.gradInput, gradWeight = self.gradWeight
        forEachTap(g) { i, w, o in
            output[o] += Double(input[i]) * Double(weight[w])
            gradInput[i] += Double(gradOutput[o]) * Double(weight[w])
            gradWeight[w] += Double(gradOutput[o]) * Double(input[i])
        }
        (self.output, self.gradInput, self.gradWeight) = (output, gradInput, gradWeight)
    }
}

/// Runs the three passes of `g` (bias-free) through `conv2dForward`, `conv2dBackwardInput` and
/// `conv2dBackwardWeight` with 1, 2 and 3 threads on random data, and checks each against
/// the definition summed in Double (outputs pre-filled with NaN, so a pass that accumulates
/// instead of overwriting fails).
func assertPassesMatchTheDefinition(_ g: Conv2dGeometry, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
    let input = randomValues(g.batch * g.inChannels * g.inPlane, seed: seed)
    let weight = randomValues(g.outChannels * g.patchSize, seed: seed + 1)
    let gradOutput = randomValues(g.batch * g.outChannels * g.outPlane, seed: seed + 2)
    let reference = ConvReference(g, input: input, weight: weight, bias: [Float](repeating: 0, count: g.outChannels),
                                  gradOutput: gradOutput)
    forEachThreadCount { threads in
        let context = "\(g), threads \(threads)"
        var output = [Float](repeating: .nan, count: gradOutput.count)
        var gradInput = [Float](repeating: .nan, count: input.count)
        var gradWeight = [Float](repeating: .nan, count: weight.count)
        conv2dForward(g, input: input, weight: weight, bias: nil, output: &output)
        conv2dBackwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: &gradInput)
        conv2dBackwardWeight(g, input: input, gradOutput: gradOutput, gradWeight: &gradWeight, gradBias: nil)
        assertClose(output, reference.output, "output \(context)", file: file, line: line)
        assertClose(gradInput, reference.gradInput, "gradInput \(context)", file: file, line: line)
        assertClose(gradWeight, reference.gradWeight, "gradWeight \(context)", file: file, line: line)
    }
}
