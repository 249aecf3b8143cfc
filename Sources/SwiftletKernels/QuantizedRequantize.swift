#if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
import _Builtin_intrinsics.intel
#endif

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
    #if SWIFTLET_AVX512_VNNI
    requantizeToInt8AVX512(m: m, n: n, accumulators: accumulators, ldAccumulators: ldAccumulators, bias: bias, multipliers: multipliers,
                           zeroPoint: zeroPoint, lowerBound: lowerBound, upperBound: upperBound,
                           output: output, rowStride: rowStride, columnStride: columnStride)
    #elseif SWIFTLET_AVX2
    requantizeToInt8AVX2(m: m, n: n, accumulators: accumulators, ldAccumulators: ldAccumulators, bias: bias, multipliers: multipliers,
                         zeroPoint: zeroPoint, lowerBound: lowerBound, upperBound: upperBound,
                         output: output, rowStride: rowStride, columnStride: columnStride)
    #else
    let low = Float(lowerBound), high = Float(upperBound), offset = Float(zeroPoint)
    for i in 0..<m {
        let row = accumulators + i * ldAccumulators
        let out = output + i * rowStride
        for j in 0..<n {
            let level = (Float(row[j] &+ bias[j]) * multipliers[j]).rounded(.toNearestOrEven) + offset
            out[j * columnStride] = Int8(min(max(level, low), high))
        }
    }
    #endif
}

#if SWIFTLET_AVX512_VNNI
/// `requantizeToInt8` 16 channels at a time. `vcvtps2dq` rounds to nearest even like the
/// scalar form; the scaled value is first clamped to one past the representable codes so
/// the conversion cannot overflow, and the zero point is added in integers (exact where the
/// float sum was, since the codes are small): the same codes bit for bit.
private func requantizeToInt8AVX512(
    m: Int, n: Int, accumulators: UnsafePointer<Int32>, ldAccumulators: Int,
    bias: UnsafePointer<Int32>, multipliers: UnsafePointer<Float>, zeroPoint: Int32,
    lowerBound: Int8, upperBound: Int8,
    output: UnsafeMutablePointer<Int8>, rowStride: Int, columnStride: Int
) {
    let floor = _mm512_set1_ps(Float(Int32(lowerBound) - zeroPoint - 1)), ceiling = _mm512_set1_ps(Float(Int32(upperBound) - zeroPoint + 1))
    let offset = _mm512_set1_epi32(zeroPoint)
    let low = _mm512_set1_epi32(Int32(lowerBound)), high = _mm512_set1_epi32(Int32(upperBound))
    requantizeRows(m: m, n: n, output: output, rowStride: rowStride, columnStride: columnStride) { i, target in
        let row = accumulators + i * ldAccumulators
        for j in stride(from: 0, to: n, by: 16) {
            let mask = __mmask16(truncatingIfNeeded: (1 << min(16, n - j)) - 1)
            let sums = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, row + j), _mm512_maskz_loadu_epi32(mask, bias + j))
            let scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(sums), _mm512_maskz_loadu_ps(mask, multipliers + j))
            let levels = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(scaled, floor), ceiling)), offset)
            _mm512_mask_cvtepi32_storeu_epi8(target + j, mask, _mm512_min_epi32(_mm512_max_epi32(levels, low), high))
        }
    }
}
#elseif SWIFTLET_AVX2
/// `requantizeToInt8` 8 codes at a time, the same steps as the AVX-512 form (the same codes
/// bit for bit). A convolution's NCHW output (rowStride 1) goes channel by channel along the
/// positions — 8 accumulators of one channel gathered from their rows, 8 contiguous codes
/// out — so a few channels fill whole vectors and no transposing pass is needed; other
/// layouts go row by row along the channels.
private func requantizeToInt8AVX2(
    m: Int, n: Int, accumulators: UnsafePointer<Int32>, ldAccumulators: Int,
    bias: UnsafePointer<Int32>, multipliers: UnsafePointer<Float>, zeroPoint: Int32,
    lowerBound: Int8, upperBound: Int8,
    output: UnsafeMutablePointer<Int8>, rowStride: Int, columnStride: Int
) {
    let floor = _mm256_set1_ps(Float(Int32(lowerBound) - zeroPoint - 1)), ceiling = _mm256_set1_ps(Float(Int32(upperBound) - zeroPoint + 1))
    let offset = _mm256_set1_epi32(zeroPoint)
    let low = _mm256_set1_epi32(Int32(lowerBound)), high = _mm256_set1_epi32(Int32(upperBound))
    func codes(_ sums: __m256i, _ factors: __m256) -> __m256i {
        let scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(sums), factors)
        let levels = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(scaled, floor), ceiling)), offset)
        return _mm256_min_epi32(_mm256_max_epi32(levels, low), high)
    }
    // A ragged last step of 8 or more codes redoes the last 8 whole (the same codes again)
    // rather than going through masks and bytewise stores.
    func steps(_ count: Int, _ body: (_ first: Int, _ lanes: Int) -> Void) {
        for step in stride(from: 0, to: count, by: 8) {
            let first = count >= 8 ? min(step, count - 8) : step
            body(first, min(8, count - first))
        }
    }
    if rowStride == 1 && columnStride != 1 {
        let ld = ldAccumulators
        for j in 0..<n {
            let channelBias = _mm256_set1_epi32(bias[j]), factors = _mm256_set1_ps(multipliers[j])
            steps(m) { first, lanes in
                let column = accumulators + first * ld + j
                func gather(_ lane: (Int) -> Int32) -> __m256i {
                    _mm256_setr_epi32(lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7))
                }
                let sums = lanes == 8 ? gather { column[$0 &* ld] } : gather { $0 < lanes ? column[$0 &* ld] : 0 }
                storeInt8Codes(codes(_mm256_add_epi32(sums, channelBias), factors), count: lanes, to: output + j * columnStride + first)
            }
        }
        return
    }
    requantizeRows(m: m, n: n, output: output, rowStride: rowStride, columnStride: columnStride) { i, target in
        let row = accumulators + i * ldAccumulators
        steps(n) { j, lanes in
            let sums: __m256i, factors: __m256
            if lanes == 8 {
                sums = _mm256_add_epi32(UnsafeRawPointer(row + j).loadUnaligned(as: __m256i.self), UnsafeRawPointer(bias + j).loadUnaligned(as: __m256i.self))
                factors = UnsafeRawPointer(multipliers + j).loadUnaligned(as: __m256.self)
            } else {
                let mask = avx2LaneMask(lanes)
                sums = _mm256_add_epi32(_mm256_maskload_epi32(row + j, mask), _mm256_maskload_epi32(bias + j, mask))
                factors = _mm256_maskload_ps(multipliers + j, mask)
            }
            storeInt8Codes(codes(sums, factors), count: lanes, to: target + j)
        }
    }
}
#endif

#if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
/// Runs `requantizeRow(i, target)`, which writes row i's n codes contiguously at `target`,
/// for every row, and places them at output[i·rowStride + j·columnStride]. Strided outputs
/// are produced contiguously first and spread in a second pass: reading bytes back right
/// after the vector store that wrote them stalls store forwarding.
@inline(__always)
private func requantizeRows(
    m: Int, n: Int, output: UnsafeMutablePointer<Int8>, rowStride: Int, columnStride: Int,
    _ requantizeRow: (Int, UnsafeMutablePointer<Int8>) -> Void
) {
    withUnsafeTemporaryAllocation(of: Int8.self, capacity: columnStride == 1 ? 0 : m * n) { buffer in
        for i in 0..<m { requantizeRow(i, columnStride == 1 ? output + i * rowStride : buffer.baseAddress! + i * n) }
        guard columnStride != 1 else { return }
        var first = 0
        if rowStride == 1 {
            // Whole blocks of 8 rows × 8 columns are transposed in SSE registers.
            for block in stride(from: 0, to: m - 7, by: 8) {
                for j in stride(from: 0, to: n - 7, by: 8) {
                    transposeBytes8x8(buffer.baseAddress! + block * n + j, sourceStride: n, output + j * columnStride + block, targetStride: columnStride)
                }
            }
            first = m & ~7
            for j in n & ~7..<n { for i in 0..<first { output[j * columnStride + i] = buffer[i * n + j] } }
        }
        // Pointer steps rather than index products: the checked multiplies cost more than the copy.
        for j in 0..<n {
            var source = buffer.baseAddress! + first * n + j, target = output + j * columnStride + first * rowStride
            for _ in first..<m {
                target.pointee = source.pointee
                source += n
                target += rowStride
            }
        }
    }
}

/// target[c·targetStride + r] = source[r·sourceStride + c] for an 8 × 8 block of bytes: three
/// rounds of interleaving (bytes, then pairs, then quadruples of rows).
@inline(__always)
private func transposeBytes8x8(_ source: UnsafePointer<Int8>, sourceStride: Int, _ target: UnsafeMutablePointer<Int8>, targetStride: Int) {
    func row(_ r: Int) -> __m128i { _mm_cvtsi64_si128(UnsafeRawPointer(source + r * sourceStride).loadUnaligned(as: Int64.self)) }
    let (t0, t1) = (_mm_unpacklo_epi8(row(0), row(1)), _mm_unpacklo_epi8(row(2), row(3)))
    let (t2, t3) = (_mm_unpacklo_epi8(row(4), row(5)), _mm_unpacklo_epi8(row(6), row(7)))
    let (u0, u1) = (_mm_unpacklo_epi16(t0, t1), _mm_unpackhi_epi16(t0, t1))
    let (u2, u3) = (_mm_unpacklo_epi16(t2, t3), _mm_unpackhi_epi16(t2, t3))
    // Each of these holds two output columns of 8 rows.
    func store(_ pair: __m128i, columns c: Int) {
        UnsafeMutableRawPointer(target + c * targetStride).storeBytes(of: _mm_cvtsi128_si64(pair), as: Int64.self)
        UnsafeMutableRawPointer(target + (c + 1) * targetStride).storeBytes(of: _mm_cvtsi128_si64(_mm_unpackhi_epi64(pair, pair)), as: Int64.self)
    }
    store(_mm_unpacklo_epi32(u0, u2), columns: 0)
    store(_mm_unpackhi_epi32(u0, u2), columns: 2)
    store(_mm_unpacklo_epi32(u1, u3), columns: 4)
    store(_mm_unpackhi_epi32(u1, u3), columns: 6)
}
#endif
