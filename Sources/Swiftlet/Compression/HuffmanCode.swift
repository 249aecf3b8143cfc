/// A minimum-redundancy prefix code (Huffman 1952) in canonical form: only each symbol's
/// code length is stored, and codes of equal length are consecutive integers in symbol
/// order, so encoder and decoder rebuild the same codes from the lengths alone.
///
/// Deep Compression codes the cluster indices and the relative sparse indices this way,
/// since both are far from uniform (Han et al. 2016, §4).
public struct HuffmanCode {
    /// Longest code the stored table can describe (lengths are written in 5 bits).
    public static let maximumLength = 31
    static let lengthFieldBits = 5

    /// Code length in bits of each symbol 0..<alphabetSize; 0 for symbols that never occur.
    public let lengths: [Int]
    private let codes: [UInt64]
    /// For each length L: the first canonical code of that length, how many codes have it,
    /// and where its symbols start in `symbolsByCode`.
    private let firstCode: [UInt64]
    private let codeCount: [Int]
    private let firstSymbolIndex: [Int]
    private let symbolsByCode: [Int]

    /// Symbols the code covers, 0..<alphabetSize, occurring or not.
    public var alphabetSize: Int { lengths.count }

    /// The optimal code for these symbol counts. A lone occurring symbol gets a 1-bit code.
    public init(frequencies: [Int]) throws {
        try self.init(lengths: Self.optimalLengths(frequencies))
    }

    /// The canonical code with these lengths; throws if they are out of range or no prefix
    /// code has them (Kraft sum above 1).
    public init(lengths: [Int]) throws {
        if let bad = lengths.first(where: { !(0...Self.maximumLength).contains($0) }) {
            throw CompressedModelError.corrupt("Huffman code length \(bad) is outside 0…\(Self.maximumLength)")
        }
        let kraft = lengths.reduce(UInt64(0)) { $0 + ($1 == 0 ? 0 : UInt64(1) << UInt64(Self.maximumLength - $1)) }
        guard kraft <= UInt64(1) << UInt64(Self.maximumLength) else {
            throw CompressedModelError.corrupt("Huffman code lengths \(lengths) describe no prefix code (Kraft sum above 1)")
        }
        let order = lengths.indices.filter { lengths[$0] > 0 }.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var codes = [UInt64](repeating: 0, count: lengths.count)
        var firstCode = [UInt64](repeating: 0, count: Self.maximumLength + 1)
        var codeCount = [Int](repeating: 0, count: Self.maximumLength + 1)
        var firstSymbolIndex = [Int](repeating: 0, count: Self.maximumLength + 1)
        var next: UInt64 = 0, previousLength = 0
        for (index, symbol) in order.enumerated() {
            let length = lengths[symbol]
            next <<= UInt64(length - previousLength)
            if length != previousLength {
                firstCode[length] = next
                firstSymbolIndex[length] = index
            }
            codes[symbol] = next
            codeCount[length] += 1
            next += 1
            previousLength = length
        }
        self.lengths = lengths
        self.codes = codes
        self.firstCode = firstCode
        self.codeCount = codeCount
        self.firstSymbolIndex = firstSymbolIndex
        symbolsByCode = order
    }

    /// Bits the code spends on symbols with these counts.
    public func encodedBits(frequencies: [Int]) -> Int {
        zip(lengths, frequencies).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Appends the code of each symbol; throws for a symbol the code has no word for.
    public func encode(_ symbols: [Int], into writer: inout BitWriter) throws {
        for symbol in symbols {
            guard (0..<alphabetSize).contains(symbol), lengths[symbol] > 0 else {
                throw CompressedModelError.unsupported("symbol \(symbol) has no Huffman code (alphabet 0..<\(alphabetSize))")
            }
            writer.write(codes[symbol], bits: lengths[symbol])
        }
    }

    /// Reads `count` symbols.
    public func decode(count: Int, from reader: inout BitReader) throws -> [Int] {
        var symbols: [Int] = []
        symbols.reserveCapacity(count)
        for _ in 0..<count {
            var code: UInt64 = 0
            var length = 0
            while true {
                code = code << 1 | (try reader.readBit())
                length += 1
                guard length <= Self.maximumLength else {
                    throw CompressedModelError.corrupt("bit pattern at bit \(reader.position) is no Huffman code")
                }
                if code >= firstCode[length], code - firstCode[length] < UInt64(codeCount[length]) {
                    symbols.append(symbolsByCode[firstSymbolIndex[length] + Int(code - firstCode[length])])
                    break
                }
            }
        }
        return symbols
    }

    /// The stored table: each symbol's length in 5 bits.
    public func writeLengths(into writer: inout BitWriter) {
        for length in lengths { writer.write(UInt64(length), bits: Self.lengthFieldBits) }
    }

    /// Reads a table `writeLengths` wrote for an alphabet of `alphabetSize` symbols.
    public static func readLengths(alphabetSize: Int, from reader: inout BitReader) throws -> HuffmanCode {
        try HuffmanCode(lengths: (0..<alphabetSize).map { _ in Int(try reader.read(bits: lengthFieldBits)) })
    }

    /// Bytes of the stored table for an alphabet of this size.
    public static func tableBytes(alphabetSize: Int) -> Int { (alphabetSize * lengthFieldBits + 7) / 8 }

    /// Huffman's construction: merge the two lightest trees until one is left; a symbol's
    /// length is its depth. Ties go to the lower index, so the code is deterministic.
    static func optimalLengths(_ frequencies: [Int]) throws -> [Int] {
        if let negative = frequencies.first(where: { $0 < 0 }) {
            throw CompressedModelError.unsupported("symbol frequencies must not be negative, got \(negative)")
        }
        var lengths = [Int](repeating: 0, count: frequencies.count)
        let used = frequencies.indices.filter { frequencies[$0] > 0 }
        if used.count == 1 { lengths[used[0]] = 1 }
        guard used.count > 1 else { return lengths }
        // Trees are (weight, members); merging adds one bit to every member's code.
        var trees = used.map { (weight: frequencies[$0], members: [$0]) }
        while trees.count > 1 {
            let lightest = trees.indices.min { trees[$0].weight < trees[$1].weight }!
            let first = trees.remove(at: lightest)
            let second = trees.remove(at: trees.indices.min { trees[$0].weight < trees[$1].weight }!)
            for symbol in first.members + second.members { lengths[symbol] += 1 }
            trees.insert((first.weight + second.weight, first.members + second.members), at: min(lightest, trees.count))
        }
        if let longest = lengths.max(), longest > maximumLength {
            throw CompressedModelError.unsupported("a Huffman code of \(longest) bits exceeds the \(maximumLength)-bit limit")
        }
        return lengths
    }
}
