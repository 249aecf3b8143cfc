#if SWIFTLET_AVX512_VNNI || SWIFTLET_AVX2
import _Builtin_intrinsics.intel
#endif

/// Max-pooling of int8 codes [N, C, H, W] → [N, C, outH, outW]. Quantization is monotone,
/// so the maximum of the codes is the code of the maximum: no rescaling is needed.
/// Padded positions are skipped (they count as −∞, as in `nn.MaxPool2d`).
public func int8MaxPool2d(_ g: Pool2dGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2 && g.paddingHeight == 0 && g.paddingWidth == 0 {
        int8MaxPoolHalving(g, input: input, output: output)
        return
    }
    for plane in 0..<(g.batch * g.channels) {
        let x = input + plane * g.inHeight * g.inWidth
        let y = output + plane * g.outHeight * g.outWidth
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                let (rows, columns) = g.window(oh, ow)
                var best = Int8.min
                for ih in rows { for iw in columns { best = max(best, x[ih * g.inWidth + iw]) } }
                y[oh * g.outWidth + ow] = best
            }
        }
    }
}

/// The common 2×2, stride-2 pooling without padding. On AVX-512: the maximum of two input
/// rows, 64 bytes at a time, then of each adjacent pair (even and odd bytes picked out with
/// `vpermb`); on AVX2 the same 16 bytes at a time (`pshufb` parts even from odd bytes), the
/// rest of a row and elsewhere fixed windows in plain loops.
private func int8MaxPoolHalving(_ g: Pool2dGeometry, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let width = g.inWidth, outWidth = g.outWidth
    #if SWIFTLET_AVX512_VNNI
    let (evens, odds) = ([UInt8]((0..<64).map { UInt8(2 * ($0 % 32)) }), [UInt8]((0..<64).map { UInt8(2 * ($0 % 32) + 1) }))
    let even = evens.withUnsafeBytes { _mm512_loadu_si512($0.baseAddress!) }, odd = odds.withUnsafeBytes { _mm512_loadu_si512($0.baseAddress!) }
    #elseif SWIFTLET_AVX2
    let evensThenOdds = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)
    #endif
    for plane in 0..<(g.batch * g.channels) {
        let x = input + plane * g.inHeight * width
        let y = output + plane * g.outHeight * outWidth
        for oh in 0..<g.outHeight {
            let top = x + 2 * oh * width, bottom = top + width, out = y + oh * outWidth
            #if SWIFTLET_AVX512_VNNI
            for first in stride(from: 0, to: outWidth, by: 32) {
                let count = min(32, outWidth - first)
                let inputs = __mmask64(count == 32 ? UInt64.max : (1 << (2 * count)) - 1)
                let rows = _mm512_max_epi8(_mm512_maskz_loadu_epi8(inputs, top + 2 * first), _mm512_maskz_loadu_epi8(inputs, bottom + 2 * first))
                let pairs = _mm512_max_epi8(_mm512_permutexvar_epi8(even, rows), _mm512_permutexvar_epi8(odd, rows))
                _mm512_mask_storeu_epi8(out + first, __mmask64((1 << count) - 1), pairs)
            }
            #else
            var first = 0
            #if SWIFTLET_AVX2
            func load(_ row: UnsafePointer<Int8>) -> __m128i { UnsafeRawPointer(row + 2 * first).loadUnaligned(as: __m128i.self) }
            while first + 8 <= outWidth {
                let parted = _mm_shuffle_epi8(_mm_max_epi8(load(top), load(bottom)), evensThenOdds)
                let pairs = _mm_max_epi8(parted, _mm_unpackhi_epi64(parted, parted))
                UnsafeMutableRawPointer(out + first).storeBytes(of: _mm_cvtsi128_si64(pairs), as: Int64.self)
                first += 8
            }
            #endif
            for ow in first..<outWidth {
                out[ow] = max(max(top[2 * ow], top[2 * ow + 1]), max(bottom[2 * ow], bottom[2 * ow + 1]))
            }
            #endif
        }
    }
}
