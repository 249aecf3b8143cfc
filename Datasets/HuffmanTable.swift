/// A canonical Huffman code (RFC 1951 §3.2.2) as a two-level lookup table, so decoding a
/// symbol is one or two table reads instead of a bit-by-bit tree walk.
///
/// The primary table is indexed by the next `primaryBits` input bits (DEFLATE sends codes
/// least-significant bit first, so codes are stored bit-reversed). Longer codes go through
/// a subtable reached from the primary entry that holds their first `primaryBits` bits.
///
/// Each entry is a packed `UInt32`:
/// - bits 0-4: how many input bits to consume;
/// - bits 5-7: the kind (`literal`, `base`, `endOfBlock`, `subtable`, `invalid`);
/// - bits 8-15: extra bits to read after the code (length and distance codes), or a
///   subtable's index width;
/// - bits 16-31: the literal byte, the base length or distance, or the subtable's offset.
struct HuffmanTable {
    static let literal: UInt32 = 0, base: UInt32 = 1, endOfBlock: UInt32 = 2, subtable: UInt32 = 3, invalid: UInt32 = 4

    /// An entry for a decoded symbol; the consumed-bit count is added when the table is built.
    @inline(__always)
    static func entry(kind: UInt32, value: Int = 0, extraBits: Int = 0) -> UInt32 {
        kind << 5 | UInt32(extraBits) << 8 | UInt32(value) << 16
    }

    let primaryBits: Int
    private(set) var entries: [UInt32] = []
    /// Scratch space kept between builds (a table is rebuilt for every dynamic block):
    /// each code's symbol, length and bit-reversed value, and each primary prefix's
    /// subtable width (all zero between builds).
    private var codes: [(symbol: Int, length: Int, reversed: Int)] = []
    private var subtableBits: [Int]

    init(primaryBits: Int) {
        self.primaryBits = primaryBits
        subtableBits = [Int](repeating: 0, count: 1 << primaryBits)
    }

    /// Rebuilds the table from per-symbol code lengths (0 = unused symbol).
    ///
    /// Over-subscribed codes are rejected; an incomplete code is accepted only when it has
    /// a single symbol (RFC 1951 allows one distance code of one bit), and its unused bit
    /// pattern decodes to `invalid`.
    /// - Parameter symbolEntry: the entry (without bit count) for each symbol.
    mutating func build(lengths: ArraySlice<UInt8>, file: String, what: String,
                        symbolEntry: (Int) -> UInt32) throws {
        var countPerLength = [Int](repeating: 0, count: 16)
        for length in lengths { countPerLength[Int(length)] += 1 }
        countPerLength[0] = 0
        var unusedCodes = 1
        for length in 1...15 {
            unusedCodes = unusedCodes * 2 - countPerLength[length]
            if unusedCodes < 0 {
                throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: over-subscribed \(what) code")
            }
        }
        let usedSymbols = countPerLength.reduce(0, +)
        if unusedCodes > 0 && usedSymbols > 1 {
            throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: incomplete \(what) code")
        }

        // The first code of each length, in canonical order.
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1...15 {
            code = (code + countPerLength[length - 1]) << 1
            nextCode[length] = code
        }
        codes.removeAll(keepingCapacity: true)
        for (offset, length) in lengths.enumerated() where length > 0 {
            let length = Int(length)
            var reversed = 0
            var value = nextCode[length]
            nextCode[length] += 1
            for _ in 0..<length { reversed = reversed << 1 | value & 1; value >>= 1 }
            codes.append((offset, length, reversed))
        }

        // Size each subtable for the longest code sharing its primary prefix.
        let primarySize = 1 << primaryBits
        let primaryMask = primarySize - 1
        var prefixes = [Int]()
        for code in codes where code.length > primaryBits {
            let prefix = code.reversed & primaryMask
            if subtableBits[prefix] == 0 { prefixes.append(prefix) }
            subtableBits[prefix] = max(subtableBits[prefix], code.length - primaryBits)
        }
        var total = primarySize
        for prefix in prefixes { total += 1 << subtableBits[prefix] }

        entries.removeAll(keepingCapacity: true)
        entries.append(contentsOf: repeatElement(HuffmanTable.entry(kind: HuffmanTable.invalid), count: total))
        let primaryBits = self.primaryBits
        // Filled through a pointer: indexing the stored array re-checks its uniqueness per entry.
        entries.withUnsafeMutableBufferPointer { table in
            // Subtables follow the primary table; each pointer entry records where its subtable starts.
            var offset = primarySize
            for prefix in prefixes {
                table[prefix] = HuffmanTable.entry(kind: HuffmanTable.subtable, value: offset,
                                                   extraBits: subtableBits[prefix]) | UInt32(primaryBits)
                offset += 1 << subtableBits[prefix]
            }
            for code in codes {
                let symbol = symbolEntry(code.symbol)
                if code.length <= primaryBits {
                    for index in stride(from: code.reversed, to: primarySize, by: 1 << code.length) {
                        table[index] = symbol | UInt32(code.length)
                    }
                } else {
                    let prefix = code.reversed & primaryMask
                    let subLength = code.length - primaryBits
                    let start = Int(table[prefix] >> 16)
                    for index in stride(from: code.reversed >> primaryBits, to: 1 << subtableBits[prefix], by: 1 << subLength) {
                        table[start + index] = symbol | UInt32(subLength)
                    }
                }
            }
        }
        for prefix in prefixes { subtableBits[prefix] = 0 }
    }
}
