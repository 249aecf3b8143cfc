// ReLU over contiguous floats, eight lanes at a time. Written as kernels rather than as
// closures handed to a generic elementwise map: there the closure is called once per element
// (the optimizer does not specialise it through the parallel loop), which made the ReLU of a
// CIFAR net's first convolution cost more than the convolution itself.

/// `output[i] = max(input[i], 0)` for `i` in `0..<count`, as `Swift.max(x, 0)` gives it
/// (NaN stays NaN, −0 becomes +0). `output` may be `input`.
public func reluForward(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    let zero = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        let x = loadVector(input + i)
        storeVector(x.replacing(with: zero, where: x .<= zero), output + i)
        i += 8
    }
    while i < count {
        output[i] = max(input[i], 0)
        i += 1
    }
}

/// `gradInput[i] = input[i] > 0 ? gradOutput[i] : 0` for `i` in `0..<count`: the gradient
/// passes where ReLU's input was positive.
public func reluBackward(
    count: Int, gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
) {
    let zero = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        storeVector(zero.replacing(with: loadVector(gradOutput + i), where: loadVector(input + i) .> zero), gradInput + i)
        i += 8
    }
    while i < count {
        gradInput[i] = input[i] > 0 ? gradOutput[i] : 0
        i += 1
    }
}
