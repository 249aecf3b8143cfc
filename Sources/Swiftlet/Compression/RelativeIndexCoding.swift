/// The positions of a sparse tensor's non-zeros as gaps between neighbours (Han et al. 2016,
/// §2): each entry stores how many zeros precede it since the previous entry, in
/// `indexBits` bits. A gap too long for the field is bridged by *filler* entries — stored
/// zeros placed every 2^indexBits positions — so short fields stay exact on long runs.
public struct RelativeIndices: Equatable {
    /// Width of a gap field, 1…16 bits.
    public let indexBits: Int
    /// Zeros skipped before each entry, each below 2^indexBits.
    public private(set) var gaps: [Int] = []
    /// Whether each entry is a filler (a zero that only bridges a long gap) rather than a weight.
    public private(set) var isFiller: [Bool] = []

    /// The largest gap one field holds.
    public var maximumGap: Int { (1 << indexBits) - 1 }

    /// Encodes strictly increasing, non-negative flat positions.
    public init(positions: [Int], indexBits: Int) throws {
        guard (1...16).contains(indexBits) else {
            throw CompressedModelError.unsupported("relative index width must be 1…16 bits, got \(indexBits)")
        }
        self.indexBits = indexBits
        var previous = -1
        for position in positions {
            guard position > previous else {
                throw CompressedModelError.unsupported("positions must be increasing and non-negative, got \(position) after \(previous)")
            }
            var gap = position - previous - 1
            while gap > maximumGap {
                append(gap: maximumGap, filler: true)
                gap -= maximumGap + 1
            }
            append(gap: gap, filler: false)
            previous = position
        }
    }

    /// Entries as decoded from storage; throws if a gap does not fit the field.
    public init(gaps: [Int], isFiller: [Bool], indexBits: Int) throws {
        try self.init(positions: [], indexBits: indexBits)
        guard gaps.count == isFiller.count else {
            throw CompressedModelError.corrupt("\(gaps.count) gaps but \(isFiller.count) filler flags")
        }
        if let bad = gaps.first(where: { !(0...maximumGap).contains($0) }) {
            throw CompressedModelError.corrupt("gap \(bad) does not fit a \(indexBits)-bit index")
        }
        self.gaps = gaps
        self.isFiller = isFiller
    }

    /// Entries stored, fillers included.
    public var count: Int { gaps.count }

    /// The flat positions of the real (non-filler) entries.
    public var positions: [Int] {
        var position = -1
        var result: [Int] = []
        for (gap, filler) in zip(gaps, isFiller) {
            position += gap + 1
            if !filler { result.append(position) }
        }
        return result
    }

    /// The position just past the last entry: decoding checks it against the tensor's size.
    public var end: Int { gaps.reduce(0) { $0 + $1 + 1 } }

    private mutating func append(gap: Int, filler: Bool) {
        gaps.append(gap)
        isFiller.append(filler)
    }
}
