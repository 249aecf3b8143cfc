/// What automatic compression does to one layer's weight: the fraction of it pruned (by
/// magnitude) and the width its remaining values are stored at.
public struct CompressionSetting: Hashable, Sendable, CustomStringConvertible {
    /// Fraction of the weight's elements pruned, 0…1 (exclusive of 1).
    public let sparsity: Float
    /// Bits per stored value: 16 keeps float16 values, 2…8 quantize (`weightFormat`).
    public let bits: Int
    /// The format the kept values are stored and fine-tuned in: float16 at 16 bits, otherwise
    /// symmetric per-tensor rounding — 0.0 is a code, so a pruned weight stays exactly zero,
    /// and one scale per tensor keeps the per-layer overhead at 4 bytes.
    public let weightFormat: QuantizationFormat

    /// A setting; throws unless 0 ≤ sparsity < 1 and bits is 16 or 2…8.
    public init(sparsity: Float, bits: Int) throws {
        guard sparsity >= 0, sparsity < 1 else {
            throw AutoCompressionError.invalidSetting("sparsity \(sparsity) is not in [0, 1)")
        }
        guard bits == 16 || (2...8).contains(bits) else {
            throw AutoCompressionError.invalidSetting("\(bits) bits: expected 2…8, or 16 for float16")
        }
        self.sparsity = sparsity
        self.bits = bits
        weightFormat = bits == 16 ? .float16 : .affine(try QuantizationScheme(bits: bits, mapping: .symmetric, rounding: .nearest, granularity: .perTensor))
    }

    /// The settings automatic compression chooses among by default: every pair of these
    /// sparsities (0 … 98 %) and widths (float16, 8 … 2 bits).
    public static func defaultGrid() throws -> [CompressionSetting] {
        let sparsities: [Float] = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98]
        return try sparsities.flatMap { sparsity in try [16, 8, 6, 5, 4, 3, 2].map { try CompressionSetting(sparsity: sparsity, bits: $0) } }
    }

    /// The default grid as far as any of `budgets` can use it: every width where one counts
    /// bits (a size budget), otherwise float16 only — narrower widths would cost accuracy
    /// and buy nothing, and profiling them would take seven times as long.
    public static func defaultGrid(for budgets: [CompressionBudget]) throws -> [CompressionSetting] {
        try defaultGrid().filter { setting in setting.bits == 16 || budgets.contains(where: \.countsBits) }
    }

    /// Whether this setting prunes no more and keeps no fewer bits than `other` (float16 has
    /// the most bits).
    public func compressesNoMore(than other: CompressionSetting) -> Bool {
        sparsity <= other.sparsity && bits >= other.bits
    }

    public var description: String {
        "\(Int((Double(sparsity) * 100).rounded()))% sparse, \(bits == 16 ? "float16" : "\(bits)-bit")"
    }
}
