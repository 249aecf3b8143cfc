/// Decoding stopped because the output passed its buffer's `ByteBuffer.limit`; the caller
/// says what the limit meant.
struct InflateLimitReached: Error {}

/// A DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Speed comes from three choices: input is read 8 bytes at a time into a 64-bit bit
/// buffer (one refill covers a whole length/distance pair, at most 48 bits), symbols are
/// decoded through `HuffmanTable` lookups, and matches are copied 8 bytes at a time.
/// Every corrupt input ends in a `DatasetError`, never an out-of-bounds access: reads past
/// the input yield zeros and are reported as truncation, distances are checked against the
/// output so far, and unassigned codes decode to `invalid`.
final class Inflater {
    private let input: UnsafePointer<UInt8>
    private let inputCount: Int
    private let file: String
    /// The next input byte to load into `bits`; may run past the end by a few virtual zero bytes.
    private var position: Int
    /// Buffered input bits, next bit in the least significant position.
    private var bits: UInt64 = 0
    private var bitCount = 0
    private let output: ByteBuffer
    /// Back-references may not reach before this output position (the stream's first byte).
    private let historyStart: Int
    private var literalTable = HuffmanTable(primaryBits: 10)
    private var distanceTable = HuffmanTable(primaryBits: 8)
    private var codeLengthTable = HuffmanTable(primaryBits: 7)

    /// Decodes one DEFLATE stream starting at `start`, appending to `output`.
    /// - Returns: the index of the first input byte after the stream.
    static func inflate(_ input: UnsafeBufferPointer<UInt8>, from start: Int, into output: ByteBuffer,
                        file: String) throws -> Int {
        guard let base = input.baseAddress, start < input.count else {
            throw DatasetError(.truncated, file: file, "truncated: the deflate stream is missing")
        }
        let inflater = Inflater(input: base, count: input.count, start: start, output: output, file: file)
        return try inflater.run()
    }

    private init(input: UnsafePointer<UInt8>, count: Int, start: Int, output: ByteBuffer, file: String) {
        self.input = input
        inputCount = count
        position = start
        self.output = output
        historyStart = output.count
        self.file = file
    }

    private func run() throws -> Int {
        do {
            try decodeBlocks()
        } catch let error as DatasetError where error.kind == .corruptStream && position - bitCount >> 3 > inputCount {
            // Garbage decoded from the zeros fed in past the end: the real problem is truncation.
            throw DatasetError(.truncated, file: file, "truncated: the deflate stream runs past the end of the file")
        }
        consume(bitCount & 7)
        let end = position - bitCount >> 3
        guard end <= inputCount else {
            throw DatasetError(.truncated, file: file, "truncated: the deflate stream ends \(end - inputCount) byte(s) past the end of the file")
        }
        return end
    }

    private func decodeBlocks() throws {
        var isFinal = false
        while !isFinal {
            try Inflater.refill(&bits, &bitCount, &position, input, inputCount, file)
            isFinal = bits & 1 == 1
            let blockType = (bits >> 1) & 3
            consume(3)
            switch blockType {
            case 0: try copyStoredBlock()
            case 1:
                try buildFixedTables()
                try decodeHuffmanBlock()
            case 2:
                try readDynamicTables()
                try decodeHuffmanBlock()
            default:
                throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: invalid block type 3")
            }
        }
    }

    @inline(__always)
    private func consume(_ n: Int) {
        bits &>>= UInt64(n)
        bitCount -= n
    }

    /// Tops the bit buffer up to at least 56 bits. Near the end of the input it feeds zero
    /// bytes instead, and gives up once more than 16 of them were needed.
    @inline(__always)
    private static func refill(_ bits: inout UInt64, _ bitCount: inout Int, _ position: inout Int,
                               _ input: UnsafePointer<UInt8>, _ inputCount: Int, _ file: String) throws {
        guard bitCount < 56 else { return }
        if position + 8 <= inputCount {
            let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
            bits |= word &<< UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
            return
        }
        while bitCount < 56 {
            if position < inputCount {
                bits |= UInt64(input[position]) &<< UInt64(bitCount)
            } else if position >= inputCount + 16 {
                throw DatasetError(.truncated, file: file, "truncated: the deflate stream runs past the end of the file")
            }
            position += 1
            bitCount += 8
        }
    }

    private func copyStoredBlock() throws {
        consume(bitCount & 7)
        // Hand whole buffered bytes back to the input and read the block bytewise.
        position -= bitCount >> 3
        bits = 0
        bitCount = 0
        guard position + 4 <= inputCount else {
            throw DatasetError(.truncated, file: file, "truncated: stored block header past the end of the file")
        }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == complement ^ 0xFFFF else {
            throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: stored block length \(length) does not match its complement")
        }
        position += 4
        guard position + length <= inputCount else {
            throw DatasetError(.truncated, file: file, "truncated: stored block of \(length) bytes runs past the end of the file")
        }
        output.reserve(length)
        (output.pointer + output.count).update(from: input + position, count: length)
        output.count += length
        position += length
        guard output.count <= output.limit else { throw InflateLimitReached() }
    }

    private static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                          3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                        8193, 12289, 16385, 24577]
    private static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which code-length code lengths are sent (RFC 1951 §3.2.7).
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func literalEntry(_ symbol: Int) -> UInt32 {
        switch symbol {
        case 0..<256: return HuffmanTable.entry(kind: HuffmanTable.literal, value: symbol)
        case 256: return HuffmanTable.entry(kind: HuffmanTable.endOfBlock)
        case 257...285:
            return HuffmanTable.entry(kind: HuffmanTable.base, value: lengthBases[symbol - 257],
                                      extraBits: lengthExtraBits[symbol - 257])
        default: return HuffmanTable.entry(kind: HuffmanTable.invalid)
        }
    }

    private static func distanceEntry(_ symbol: Int) -> UInt32 {
        guard symbol < 30 else { return HuffmanTable.entry(kind: HuffmanTable.invalid) }
        return HuffmanTable.entry(kind: HuffmanTable.base, value: distanceBases[symbol],
                                  extraBits: distanceExtraBits[symbol])
    }

    private func buildTables(_ lengths: [UInt8], literalCount: Int) throws {
        try literalTable.build(lengths: lengths[0..<literalCount], file: file, what: "literal/length",
                               symbolEntry: Inflater.literalEntry)
        try distanceTable.build(lengths: lengths[literalCount...], file: file, what: "distance",
                                symbolEntry: Inflater.distanceEntry)
    }

    private func buildFixedTables() throws {
        let lengths = [UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
            + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8) + [UInt8](repeating: 5, count: 32)
        try buildTables(lengths, literalCount: 288)
    }

    private func readDynamicTables() throws {
        try Inflater.refill(&bits, &bitCount, &position, input, inputCount, file)
        let literalCount = Int(bits & 31) + 257
        let distanceCount = Int((bits >> 5) & 31) + 1
        let codeLengthCount = Int((bits >> 10) & 15) + 4
        consume(14)
        guard literalCount <= 286, distanceCount <= 30 else {
            throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: \(literalCount) literal/length or \(distanceCount) distance codes declared (at most 286 and 30)")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            try Inflater.refill(&bits, &bitCount, &position, input, inputCount, file)
            codeLengthLengths[Inflater.codeLengthOrder[i]] = UInt8(bits & 7)
            consume(3)
        }
        try codeLengthTable.build(lengths: codeLengthLengths[...], file: file, what: "code length") {
            HuffmanTable.entry(kind: HuffmanTable.literal, value: $0)
        }

        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var filled = 0
        while filled < total {
            try Inflater.refill(&bits, &bitCount, &position, input, inputCount, file)
            let entry = codeLengthTable.entries[Int(bits & 127)]
            guard (entry >> 5) & 7 == HuffmanTable.literal else {
                throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: invalid code-length code")
            }
            consume(Int(entry & 31))
            let symbol = Int(entry >> 16)
            var repeatCount = 1
            var value: UInt8 = 0
            switch symbol {
            case 0..<16: value = UInt8(symbol)
            case 16:
                guard filled > 0 else {
                    throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: repeat code with no previous length")
                }
                value = lengths[filled - 1]
                repeatCount = 3 + Int(bits & 3); consume(2)
            case 17: repeatCount = 3 + Int(bits & 7); consume(3)
            default: repeatCount = 11 + Int(bits & 127); consume(7)
            }
            guard filled + repeatCount <= total else {
                throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: code lengths overflow the \(total) declared codes")
            }
            for i in filled..<(filled + repeatCount) { lengths[i] = value }
            filled += repeatCount
        }
        guard lengths[256] != 0 else {
            throw DatasetError(.corruptStream, file: file, "corrupt deflate stream: no end-of-block code")
        }
        try buildTables(lengths, literalCount: literalCount)
    }

    /// The hot loop: decodes literals and matches until the end-of-block code.
    /// State lives in locals here so the optimiser keeps it in registers.
    private func decodeHuffmanBlock() throws {
        var bits = self.bits, bitCount = self.bitCount, position = self.position
        let input = self.input, inputCount = self.inputCount, file = self.file
        let output = self.output
        var out = output.pointer
        var outCount = output.count
        var outCapacity = output.capacity
        let historyStart = self.historyStart
        let literalMask = UInt64(1 << literalTable.primaryBits - 1), literalBits = UInt64(literalTable.primaryBits)
        let distanceMask = UInt64(1 << distanceTable.primaryBits - 1), distanceBits = UInt64(distanceTable.primaryBits)
        let corrupt = { (what: String) in DatasetError(.corruptStream, file: file, "corrupt deflate stream: \(what)") }
        defer {
            output.count = outCount
            self.bits = bits
            self.bitCount = bitCount
            self.position = position
        }

        try literalTable.entries.withUnsafeBufferPointer { literals in
            try distanceTable.entries.withUnsafeBufferPointer { distances in
                decoding: while true {
                    try Inflater.refill(&bits, &bitCount, &position, input, inputCount, file)
                    // Room for the longest match plus the 8-byte copy overrun.
                    if outCapacity - outCount < 258 + 8 {
                        guard outCount <= output.limit else { throw InflateLimitReached() }
                        output.count = outCount
                        output.reserve(258 + 8)
                        out = output.pointer
                        outCapacity = output.capacity
                    }
                    var entry = literals[Int(bits & literalMask)]
                    // Fast path for runs of short literals (the bulk of poorly compressible
                    // data): a refill holds at least 56 bits, enough for three 15-bit codes.
                    if entry & 0xE0 == 0 {
                        for _ in 0..<3 {
                            guard entry & 0xE0 == 0 else { break }
                            bits &>>= UInt64(entry & 31)
                            bitCount -= Int(entry & 31)
                            out[outCount] = UInt8(truncatingIfNeeded: entry >> 16)
                            outCount += 1
                            entry = literals[Int(bits & literalMask)]
                        }
                        continue
                    }
                    if (entry >> 5) & 7 == HuffmanTable.subtable {
                        bits &>>= literalBits
                        bitCount -= Int(literalBits)
                        entry = literals[Int(entry >> 16) + Int(bits & (1 &<< UInt64((entry >> 8) & 0xFF) &- 1))]
                    }
                    bits &>>= UInt64(entry & 31)
                    bitCount -= Int(entry & 31)
                    switch (entry >> 5) & 7 {
                    case HuffmanTable.literal:
                        out[outCount] = UInt8(truncatingIfNeeded: entry >> 16)
                        outCount += 1
                    case HuffmanTable.base:
                        let lengthExtra = UInt64((entry >> 8) & 0xFF)
                        let length = Int(entry >> 16) + Int(bits & (1 &<< lengthExtra &- 1))
                        bits &>>= lengthExtra
                        bitCount -= Int(lengthExtra)

                        var match = distances[Int(bits & distanceMask)]
                        if (match >> 5) & 7 == HuffmanTable.subtable {
                            bits &>>= distanceBits
                            bitCount -= Int(distanceBits)
                            match = distances[Int(match >> 16) + Int(bits & (1 &<< UInt64((match >> 8) & 0xFF) &- 1))]
                        }
                        bits &>>= UInt64(match & 31)
                        bitCount -= Int(match & 31)
                        guard (match >> 5) & 7 == HuffmanTable.base else { throw corrupt("invalid distance code") }
                        let distanceExtra = UInt64((match >> 8) & 0xFF)
                        let distance = Int(match >> 16) + Int(bits & (1 &<< distanceExtra &- 1))
                        bits &>>= distanceExtra
                        bitCount -= Int(distanceExtra)
                        guard distance <= outCount - historyStart else {
                            throw corrupt("distance \(distance) reaches before the start of the output")
                        }
                        Inflater.copyMatch(out + outCount, distance: distance, length: length)
                        outCount += length
                    case HuffmanTable.endOfBlock:
                        break decoding
                    default:
                        throw corrupt("invalid literal/length code")
                    }
                }
            }
        }
    }

    /// Copies `length` bytes from `distance` bytes back; may write up to 7 bytes past the end.
    @inline(__always)
    private static func copyMatch(_ destination: UnsafeMutablePointer<UInt8>, distance: Int, length: Int) {
        var target = UnsafeMutableRawPointer(destination)
        var source = UnsafeRawPointer(destination - distance)
        if distance >= 8 {
            // Each 8-byte chunk was fully written before it is read, even when ranges overlap.
            let end = target + length
            repeat {
                target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
                target += 8
                source += 8
            } while target < end
        } else {
            for i in 0..<length { destination[i] = destination[i - distance] }
        }
    }
}
