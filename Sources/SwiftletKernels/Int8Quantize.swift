#if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
import _Builtin_intrinsics.intel
#endif

/// The int8 pipeline's input step: codes of float values with round-to-nearest-even,
///
///     out[i] = clamp(round(x[i] / scale) + zeroPoint, lower, upper) − shift
///
/// (NaN → zeroPoint − shift), exactly as `QuantizationScheme.code(of:)` (a division, not a
/// multiply by 1/scale, so the codes agree at every tie). `shift` is 128 for asymmetric
/// codes 0…255 held as int8.
public func quantizeToInt8(
    _ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int32, lowerBound: Int32, upperBound: Int32, shift: Int32,
    output: UnsafeMutablePointer<Int8>
) {
    #if SWIFTLET_AVX512_VNNI
    // As in requantizeToInt8: clamp in float to one past the codes so the conversion cannot
    // overflow, then add the zero point and clamp in integers. `vmaxps` turns NaN into the
    // floor, so NaN lanes (exponent all ones, mantissa non-zero) are found by their bits.
    let divisor = _mm512_set1_ps(scale)
    let floor = _mm512_set1_ps(Float(lowerBound - zeroPoint - 1)), ceiling = _mm512_set1_ps(Float(upperBound - zeroPoint + 1))
    let offset = _mm512_set1_epi32(zeroPoint), low = _mm512_set1_epi32(lowerBound), high = _mm512_set1_epi32(upperBound)
    let shifted = _mm512_set1_epi32(shift), zero = _mm512_set1_epi32(zeroPoint - shift)
    let magnitude = _mm512_set1_epi32(0x7FFF_FFFF), belowSign = _mm512_set1_epi32(0x7FFF_FFFF - 0x7F80_0000)
    let sign = _mm512_set1_epi32(Int32.min)
    for first in stride(from: 0, to: count, by: 16) {
        let lanes = __mmask16(truncatingIfNeeded: (1 << min(16, count - first)) - 1)
        let scaled = _mm512_div_ps(_mm512_maskz_loadu_ps(lanes, x + first), divisor)
        let levels = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(scaled, floor), ceiling)), offset)
        let codes = _mm512_sub_epi32(_mm512_min_epi32(_mm512_max_epi32(levels, low), high), shifted)
        // |bits| > infinity's exactly when |bits| + (2³¹ − 1 − infinity's) reaches the sign bit.
        let isNaN = _mm512_test_epi32_mask(_mm512_add_epi32(_mm512_and_si512(_mm512_castps_si512(scaled), magnitude), belowSign), sign)
        _mm512_mask_cvtepi32_storeu_epi8(output + first, lanes, _mm512_mask_mov_epi32(codes, isNaN, zero))
    }
    #elseif SWIFTLET_AVX2
    // The same steps 8 lanes at a time; `vmaxps` also turns NaN into the floor here.
    let divisor = _mm256_set1_ps(scale)
    let floor = _mm256_set1_ps(Float(lowerBound - zeroPoint - 1)), ceiling = _mm256_set1_ps(Float(upperBound - zeroPoint + 1))
    let offset = _mm256_set1_epi32(zeroPoint), low = _mm256_set1_epi32(lowerBound), high = _mm256_set1_epi32(upperBound)
    let shifted = _mm256_set1_epi32(shift), zero = _mm256_set1_epi32(zeroPoint - shift)
    let magnitude = _mm256_set1_epi32(0x7FFF_FFFF), infinity = _mm256_set1_epi32(0x7F80_0000)
    for first in stride(from: 0, to: count, by: 8) {
        let lanes = min(8, count - first)
        let values = lanes == 8 ? UnsafeRawPointer(x + first).loadUnaligned(as: __m256.self) : _mm256_maskload_ps(x + first, avx2LaneMask(lanes))
        let scaled = _mm256_div_ps(values, divisor)
        let levels = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(scaled, floor), ceiling)), offset)
        let codes = _mm256_sub_epi32(_mm256_min_epi32(_mm256_max_epi32(levels, low), high), shifted)
        // NaN: magnitude bits above infinity's (a signed compare, both non-negative).
        let isNaN = _mm256_cmpgt_epi32(_mm256_and_si256(_mm256_castps_si256(scaled), magnitude), infinity)
        storeInt8Codes(_mm256_blendv_epi8(codes, zero, isNaN), count: lanes, to: output + first)
    }
    #else
    let low = Float(lowerBound), high = Float(upperBound), offset = Float(zeroPoint)
    for i in 0..<count {
        let scaled = x[i] / scale
        let level = scaled.isNaN ? offset : min(max(scaled.rounded(.toNearestOrEven) + offset, low), high)
        output[i] = Int8(truncatingIfNeeded: Int32(level) - shift)
    }
    #endif
}
