import SwiftletKernels
import XCTest
@testable import Swiftlet

/// Schemes, round trips, the documents' formulas, float16 against IEEE, binary and ternary.
final class QuantizationSchemeTests: XCTestCase {
    /// Channels with very different ranges, so per-channel scales differ.
    private func sampleTensor() -> Tensor {
        var generator = SeededRandom(seed: 5)
        let ranges: [(Float, Float)] = [(-1, 1), (-0.01, 0.03), (0.5, 2), (-300, -20)]
        return Tensor(shape: [4, 64], scalars: (0..<256).map { i in
            let (low, high) = ranges[i / 64]
            return generator.nextUniform(low, high)
        })
    }

    func testRoundTripErrorIsAtMostHalfAStepForEveryScheme() throws {
        let x = sampleTensor()
        for bits in [1, 2, 3, 4, 5, 8, 12, 16] {
            for mapping in [QuantizationScheme.Mapping.asymmetric, .symmetric] where !(mapping == .symmetric && bits == 1) {
                for rounding in [QuantizationScheme.Rounding.nearest, .floor] {
                    for granularity in [QuantizationScheme.Granularity.perTensor, .perChannel] {
                        let scheme = try QuantizationScheme(bits: bits, mapping: mapping, rounding: rounding, granularity: granularity)
                        let q = try QuantizedTensor(quantizing: x, as: .affine(scheme))
                        XCTAssertTrue(q.codes.allSatisfy { scheme.codeRange.contains($0) }, "\(scheme): code out of range")
                        let y = q.dequantized()
                        let length = x.count / q.scales.count
                        for i in 0..<x.count {
                            let scale = q.scales[i / length]
                            // Float rounding of s·(q − z) adds a few ulps of the value.
                            let bound = scale / 2 + 4 * abs(x.scalars[i]).ulp
                            if abs(x.scalars[i] - y.scalars[i]) > bound {
                                XCTFail("\(scheme): \(x.scalars[i]) → \(y.scalars[i]), error above s/2 = \(scale / 2)")
                                break
                            }
                        }
                    }
                }
            }
        }
    }

    func testRoundingSchemesRepresentZeroExactly() throws {
        for mapping in [QuantizationScheme.Mapping.asymmetric, .symmetric] {
            let scheme = try QuantizationScheme(bits: 4, mapping: mapping)
            let p = scheme.parameters(minimum: -0.37, maximum: 1.91)
            XCTAssertEqual(scheme.value(of: scheme.code(of: 0, p), p), 0)
        }
    }

    func testDocumentFormulas() throws {
        // Asymmetric with x_min = 0: x_q = round((x − x_min)/(x_max − x_min)·(2^b − 1)).
        // (Values away from ties: x/s is computed in Float, as in PyTorch.)
        let values: [Float] = [0, 0.13, 0.25, 0.41, 0.77, 1]
        let asymmetric = try QuantizedTensor(quantizing: Tensor(values, shape: [6]), as: .affine(QuantizationScheme(bits: 8)))
        XCTAssertEqual(asymmetric.codes, values.map { Int32(($0 * 255).rounded()) })
        // Symmetric: x_q = round(x / max|x| · (2^(b−1) − 1)).
        let signed: [Float] = [-2, -0.5, 0.3, 1.2, 2]
        let symmetric = try QuantizedTensor(quantizing: Tensor(signed, shape: [5]), as: .affine(QuantizationScheme(bits: 4, mapping: .symmetric)))
        XCTAssertEqual(symmetric.codes, signed.map { Int32(($0 / 2 * 7).rounded()) })
        // Truncation: x_q = ⌊(x − x_min)/(x_max − x_min)·(2^b − 1)⌋ on the same grid (the
        // top value, exactly on a cell edge, is left out: Float division may land just below).
        let truncated = try QuantizedTensor(quantizing: Tensor(values, shape: [6]), as: .affine(QuantizationScheme(bits: 3, rounding: .floor)))
        XCTAssertEqual(Array(truncated.codes.dropLast()), values.dropLast().map { Int32(($0 * 7).rounded(.down)) })
    }

    func testInvalidBitWidthsThrow() {
        assertThrows(try QuantizationScheme(bits: 0), QuantizationError.bitsOutOfRange(0, mapping: .asymmetric))
        assertThrows(try QuantizationScheme(bits: 17), QuantizationError.bitsOutOfRange(17, mapping: .asymmetric))
        assertThrows(try QuantizationScheme(bits: 1, mapping: .symmetric), QuantizationError.bitsOutOfRange(1, mapping: .symmetric))
        XCTAssertEqual("\(QuantizationError.bitsOutOfRange(1, mapping: .symmetric))", "symmetric quantization needs 2…16 bits, got 1")
        assertThrows(try QuantizedTensor(quantizing: Tensor(1), as: .affine(.int8Weights)), QuantizationError.emptyChannelAxis(shape: []))
    }

    func testFloat16DecodingMatchesIEEEForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let decoded = HalfPrecision.value(ofBits: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                XCTAssertTrue(decoded.isNaN, "pattern \(bits)")
            } else if decoded.bitPattern != reference.bitPattern {
                XCTFail("pattern \(String(bits, radix: 16)): decoded \(decoded), IEEE \(reference)")
                return
            }
        }
    }

    func testFloat16EncodingRoundsLikeIEEE() {
        var inputs: [Float] = [0, -0.0, 1, -1, 65504, 65519.996, 65520, -65520, 1e10, .infinity, -.infinity,
                               0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 0x1p-14, 0x1.ff8p-15, .leastNonzeroMagnitude, 1e-30]
        // Every half value and every midpoint between neighbours (the ties), both signs.
        for bits in UInt16(0)..<0x7C00 {
            let value = Float(Float16(bitPattern: bits)), next = Float(Float16(bitPattern: bits + 1))
            inputs += [value, (value + next) / 2, -value, -(value + next) / 2]
        }
        var generator = SeededRandom(seed: 3)
        for _ in 0..<20_000 { inputs.append(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))) }
        for x in inputs {
            let encoded = HalfPrecision.bits(of: x)
            if x.isNaN {
                XCTAssertTrue(Float16(bitPattern: encoded).isNaN, "NaN \(x.bitPattern) encoded as \(encoded)")
                XCTAssertEqual(encoded & 0x0200, 0x0200, "NaN must be quiet")
                continue
            }
            let reference = Float16(x).bitPattern
            if encoded != reference {
                XCTFail("\(x) (0x\(String(x.bitPattern, radix: 16))): encoded 0x\(String(encoded, radix: 16)), IEEE 0x\(String(reference, radix: 16))")
                return
            }
        }
        let nan = try? QuantizedTensor(quantizing: Tensor(.nan), as: .float16)
        XCTAssertTrue(nan?.dequantized().scalars[0].isNaN ?? false)
    }

    func testBinaryUsesMeanMagnitudeAndItIsTheBestScale() throws {
        let x = sampleTensor()
        for granularity in [QuantizationScheme.Granularity.perTensor, .perChannel] {
            let q = try QuantizedTensor(quantizing: x, as: .binary(granularity))
            let length = x.count / q.scales.count
            for channel in q.scales.indices {
                let slice = x.scalars[channel * length..<(channel + 1) * length]
                XCTAssertEqual(q.scales[channel], slice.reduce(0) { $0 + abs($1) } / Float(length), accuracy: 1e-4 * q.scales[channel])
            }
            let y = q.dequantized()
            for i in 0..<x.count { XCTAssertEqual(y.scalars[i], (x.scalars[i] >= 0 ? 1 : -1) * q.scales[i / length]) }
            // α = mean|w| minimises ‖w − α·sign(w)‖² (XNOR-Net): nudging it either way is worse.
            func error(_ factor: Float) -> Float {
                (0..<x.count).reduce(0) { sum, i in
                    let r = x.scalars[i] - factor * y.scalars[i]
                    return sum + r * r
                }
            }
            XCTAssertLessThan(error(1), error(0.95))
            XCTAssertLessThan(error(1), error(1.05))
        }
    }

    func testTernaryZeroesSmallWeightsAndScalesTheRest() throws {
        let values: [Float] = [-1, -0.1, 0.05, 0.2, 0.9, 1.3, -0.6, 0]
        let q = try QuantizedTensor(quantizing: Tensor(values, shape: [8]), as: .ternary(.perTensor))
        let delta = 0.7 * values.reduce(0) { $0 + abs($1) } / 8
        let kept = values.filter { abs($0) > delta }
        let alpha = kept.reduce(0) { $0 + abs($1) } / Float(kept.count)
        XCTAssertEqual(q.scales[0], alpha, accuracy: 1e-6)
        XCTAssertEqual(q.dequantized().scalars, values.map { abs($0) > delta ? ($0 > 0 ? alpha : -alpha) : 0 })
    }
}
