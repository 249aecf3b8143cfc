#if SWIFTLET_AVX2 && !SWIFTLET_AVX512_VNNI
import _Builtin_intrinsics.intel

// Helpers of the AVX2 int8 steps (quantization, requantization): AVX2 has no mask
// registers and no int32 → int8 store, which AVX-512 has.

/// All ones in the first `count` of the 8 int32 lanes: the mask of `_mm256_maskload_*`.
@inline(__always)
func avx2LaneMask(_ count: Int) -> __m256i {
    _mm256_cmpgt_epi32(_mm256_set1_epi32(Int32(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

/// Stores the first `count` (≤ 8) lanes of int32 codes in −128…127 as bytes at `target`.
@inline(__always)
func storeInt8Codes(_ codes: __m256i, count: Int, to target: UnsafeMutablePointer<Int8>) {
    // Two saturating packs leave the codes in bytes 0–3 of each 128-bit half (they are in
    // range, so nothing saturates); a permute puts those two words side by side.
    let packed = _mm256_packs_epi16(_mm256_packs_epi32(codes, codes), _mm256_setzero_si256())
    let joined = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 0, 4, 0, 4, 0, 4))
    let bytes = UInt64(bitPattern: _mm_cvtsi128_si64(_mm256_castsi256_si128(joined)))
    if count == 8 {
        UnsafeMutableRawPointer(target).storeBytes(of: bytes, as: UInt64.self)
    } else {
        for lane in 0..<count { target[lane] = Int8(truncatingIfNeeded: bytes >> (8 * lane)) }
    }
}
#endif
