/// IEEE 754 binary16 ("half", TFLite's float16 quantization) by bit manipulation, so that
/// the conversion is the same on every platform, with or without a hardware `Float16`.
///
/// Layout: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. Encoding rounds to
/// nearest, ties to even, like `Float16(x)`; magnitudes from 65520 up become ±∞, those
/// below 2⁻²⁴ become subnormals or ±0, and NaNs stay NaNs (quieted, payload's top bits kept).
public enum HalfPrecision {
    /// The binary16 bit pattern nearest to `x`.
    public static func bits(of x: Float) -> UInt16 {
        let word = x.bitPattern
        let sign = UInt16(truncatingIfNeeded: (word >> 16) & 0x8000)
        let exponent = Int((word >> 23) & 0xFF)
        let fraction = word & 0x7F_FFFF
        if exponent == 0xFF {  // ∞ or NaN
            return fraction == 0 ? sign | 0x7C00 : sign | 0x7E00 | UInt16(truncatingIfNeeded: fraction >> 13)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 31 { return sign | 0x7C00 }
        if halfExponent >= 1 {
            // Drop 13 fraction bits, rounding; a carry out of the fraction bumps the exponent
            // (and 0x7BFF + 1 = 0x7C00 is ∞, as it should be).
            let truncated = UInt32(halfExponent) << 10 | fraction >> 13
            return sign | UInt16(truncatingIfNeeded: roundedShift(truncated, remainder: fraction & 0x1FFF, half: 0x1000))
        }
        // Subnormal result: the 24-bit significand (hidden bit included) in units of 2⁻²⁴.
        let shift = 126 - exponent
        guard shift <= 24, exponent != 0 else { return sign }
        let significand = fraction | 0x80_0000
        let remainder = significand & ((1 << UInt32(shift)) - 1)
        return sign | UInt16(truncatingIfNeeded: roundedShift(significand >> UInt32(shift), remainder: remainder, half: 1 << UInt32(shift - 1)))
    }

    /// The `Float` a binary16 bit pattern stands for (always exact).
    public static func value(ofBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let fraction = UInt32(h & 0x3FF)
        switch exponent {
        case 0:  // zero or subnormal: fraction · 2⁻²⁴
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | fraction << 13)
        }
    }

    /// Round to nearest, ties to even, given the bits shifted out.
    @inline(__always)
    private static func roundedShift(_ kept: UInt32, remainder: UInt32, half: UInt32) -> UInt32 {
        remainder > half || (remainder == half && kept & 1 == 1) ? kept + 1 : kept
    }
}
