/// How a quantized weight's codes are stored: every code (`dense`), or only the codes that
/// are not the weight's zero code, at positions stored as relative indices (`RelativeIndices`:
/// gaps of `indexBits` bits, long gaps bridged by filler entries that hold the zero code).
/// A pruned weight is the zero code, so pruning and quantization shrink the same file.
///
/// The stored parts of the `relative` layout are `W.gaps` (the gaps, bit-packed at
/// `indexBits`) and `W.codes` (one code per entry, bit-packed at the format's width); the
/// metadata description carries `index_bits=` and `entries=`.
public enum SparseCodeLayout: Equatable, Sendable {
    /// One code per element.
    case dense
    /// `entries` (fillers included) gap + code pairs.
    case relative(indexBits: Int, entries: Int)

    /// The widest relative index tried: wider gaps rarely pay for themselves on weights.
    public static let maximumIndexBits = 8

    /// Bytes the codes (and gaps) of a tensor of `count` elements take at `bits` per code.
    public func byteCount(count: Int, bits: Int) -> Int {
        switch self {
        case .dense: return BitPacking.byteCount(count: count, bits: bits)
        case let .relative(indexBits, entries):
            return BitPacking.byteCount(count: entries, bits: indexBits) + BitPacking.byteCount(count: entries, bits: bits)
        }
    }

    /// The layout taking the fewest bytes for a tensor of `count` elements whose codes differ
    /// from the zero code at `positions` (increasing); dense on ties. Removing positions never
    /// makes it larger, so the bytes for a superset of the positions bound the stored bytes.
    public static func smallest(positions: [Int], count: Int, bits: Int) -> (layout: SparseCodeLayout, bytes: Int) {
        var best = (layout: SparseCodeLayout.dense, bytes: SparseCodeLayout.dense.byteCount(count: count, bits: bits))
        var gaps: [Int] = []
        gaps.reserveCapacity(positions.count)
        var previous = -1
        for position in positions {
            gaps.append(position - previous - 1)
            previous = position
        }
        for indexBits in 1...maximumIndexBits {
            // A gap g takes 1 + ⌊g / 2^indexBits⌋ entries, as `RelativeIndices` lays it out.
            let entries = gaps.reduce(0) { $0 + 1 + $1 >> indexBits }
            let layout = SparseCodeLayout.relative(indexBits: indexBits, entries: entries)
            let bytes = layout.byteCount(count: count, bits: bits)
            if bytes < best.bytes { best = (layout, bytes) }
        }
        return best
    }
}

extension QuantizationFormat {
    /// The code that stands for exactly 0.0 in a channel with `zeroPoint`, or nil when the
    /// format has none (truncation, binary): such weights are always stored dense.
    func exactZeroCode(zeroPoint: Int32) -> Int32? {
        switch self {
        case let .affine(scheme) where scheme.rounding == .nearest: return zeroPoint
        case .float16: return Int32(HalfPrecision.bits(of: 0))
        default: return nil
        }
    }

    /// Bytes of the scales and zero points stored beside the codes of a tensor with
    /// `channels` scales (see `QuantizedCheckpoint`).
    public func parameterBytes(channels: Int) -> Int {
        switch self {
        case let .affine(scheme):
            return 4 * channels + (scheme.mapping == .asymmetric ? (scheme.bits <= 8 ? 1 : 2) * channels : 0)
        case .binary, .ternary: return 4 * channels
        case .float16: return 0
        }
    }
}

extension QuantizedTensor {
    /// Each element's zero code, or nil when the format has none.
    func zeroCodes() -> [Int32]? {
        let channels = max(zeroPoints.count, 1)
        let length = codes.count / channels
        var result: [Int32] = []
        result.reserveCapacity(codes.count)
        for channel in 0..<channels {
            guard let zero = format.exactZeroCode(zeroPoint: zeroPoints.isEmpty ? 0 : zeroPoints[channel]) else { return nil }
            result += repeatElement(zero, count: length)
        }
        return result
    }

    /// Positions of the codes that do not stand for 0.0 (all of them when there is none).
    func nonzeroCodePositions() -> [Int] {
        guard let zeros = zeroCodes() else { return Array(codes.indices) }
        // A pruned negative weight is −0.0: in float16 another pattern, stored as +0.0.
        let negativeZero = format == .float16 ? Int32(HalfPrecision.bits(of: -0.0)) : zeros.first
        return codes.indices.filter { codes[$0] != zeros[$0] && codes[$0] != negativeZero }
    }
}
