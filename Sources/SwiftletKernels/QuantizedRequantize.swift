/// Turns int32 accumulators into int8 codes of the next layer — the requantization step of
/// an integer-only layer, with the bias and an optional ReLU fused in:
///
///     out[i][j] = clamp(round((acc[i][j] + bias[j]) · multiplier[j]) + zeroPoint, lower, upper)
///
/// where multiplier[j] = s_in·s_w[j] / s_out. A fused ReLU is just `lower = zeroPoint`
/// (the code of 0.0). The multiplier is applied in Float (exact for |acc| < 2²⁴, one
/// rounding otherwise) rather than gemmlowp's fixed-point form: the CPU has fast float
/// multiplies and the result differs from the exact product by at most one code.
/// `output` is addressed as `output[i·rowStride + j·columnStride]`, so a convolution can
/// write its [positions, channels] accumulators straight into [channels, positions] layout.
public func requantizeToInt8(
    m: Int, n: Int, accumulators: UnsafePointer<Int32>, ldAccumulators: Int,
    bias: UnsafePointer<Int32>, multipliers: UnsafePointer<Float>, zeroPoint: Int32,
    lowerBound: Int8, upperBound: Int8,
    output: UnsafeMutablePointer<Int8>, rowStride: Int, columnStride: Int
) {
    let low = Float(lowerBound), high = Float(upperBound), offset = Float(zeroPoint)
    for i in 0..<m {
        let row = accumulators + i * ldAccumulators
        let out = output + i * rowStride
        for j in 0..<n {
            let level = (Float(row[j] &+ bias[j]) * multipliers[j]).rounded(.toNearestOrEven) + offset
            out[j * columnStride] = Int8(min(max(level, low), high))
        }
    }
}
