/// Where the bytes of one tensor of a Deep Compression model go.
public struct CompressedTensorSize {
    /// The tensor's state-dict name.
    public let name: String
    /// Values in the tensor, zeros included.
    public let elements: Int
    /// Weights that are not zero.
    public let nonzero: Int
    /// Sparse entries stored, fillers included (0 for tensors stored whole).
    public let entries: Int
    /// Width of the relative index field before Huffman coding (nil: stored whole).
    public let indexBits: Int?
    /// Shared values stored, k: the clusters that have members (nil: stored whole).
    public let clusters: Int?
    /// Tag, counts, centroids (fp32) and both Huffman tables.
    public let headerBytes: Int
    /// Huffman-coded relative indices.
    public let indexBytes: Int
    /// Huffman-coded cluster indices, or the float16 values of a tensor stored whole.
    public let valueBytes: Int

    /// Bytes the tensor takes in the file.
    public var totalBytes: Int { headerBytes + indexBytes + valueBytes }
    /// fp32 bytes over stored bytes.
    public var compressionRatio: Double { Double(4 * elements) / Double(max(totalBytes, 1)) }
}

/// The Deep Compression storage format (Han et al. 2016): pruning + weight sharing +
/// Huffman coding, as real bytes that decode back to a model.
///
/// Tensors follow the model's state-dict order; the architecture itself (names, shapes) is
/// not stored — the decoder is given a fresh model of it. Every other byte is:
///
/// - per tensor, a 1-byte tag: 0 = stored whole, 1 = shared sparse;
/// - stored whole (biases, tensors without sharing): float16 values;
/// - shared sparse: index width b (1 byte), k (2 bytes), entry count (4 bytes), k fp32
///   centroids, the Huffman code lengths of the 2^b gap symbols and of the k + 1 weight
///   symbols (5 bits each; symbol k marks a filler entry), then the Huffman-coded gaps and
///   the Huffman-coded cluster indices, each section padded to a whole byte.
///
/// The index width is chosen per tensor as the one giving the fewest bytes.
public enum DeepCompressedModel {
    /// Widest relative index tried.
    public static let maximumIndexBits = 8

    /// Encodes `model`; `sharing` holds, by state-dict name, the tensors stored as shared
    /// sparse weights, whose values are taken from the sharing (the model holds the same
    /// after `SharedCentroidOptimizer` steps).
    public static func encode(_ model: Module, sharing: [String: SharedWeights]) throws -> (bytes: [UInt8], tensors: [CompressedTensorSize]) {
        let state = model.stateDict
        if let unknown = sharing.keys.sorted().first(where: { name in !state.contains { $0.name == name } }) {
            throw CompressedModelError.unsupported("no tensor named \"\(unknown)\" to share (have: \(state.map(\.name).joined(separator: ", ")))")
        }
        var writer = BitWriter()
        var sizes: [CompressedTensorSize] = []
        for (name, tensor) in state {
            if let clusters = sharing[name] {
                guard clusters.assignments.count == tensor.count else {
                    throw CompressedModelError.unsupported("\(name): sharing has \(clusters.assignments.count) assignments for \(tensor.count) weights")
                }
                let best = try (1...maximumIndexBits).map { bits -> (Int, Int) in
                    var trial = BitWriter()
                    return (bits, try writeShared(name, clusters, indexBits: bits, into: &trial).totalBytes)
                }.min { $0.1 < $1.1 }!.0
                sizes.append(try writeShared(name, clusters, indexBits: best, into: &writer))
            } else {
                writer.write(0, bits: 8)
                for value in tensor.scalars { writer.write(UInt64(HalfPrecision.bits(of: value)), bits: 16) }
                sizes.append(CompressedTensorSize(name: name, elements: tensor.count, nonzero: tensor.scalars.nonzeroCount,
                                                  entries: 0, indexBits: nil, clusters: nil, headerBytes: 1,
                                                  indexBytes: 0, valueBytes: 2 * tensor.count))
            }
        }
        return (writer.bytes, sizes)
    }

    /// Loads the tensors stored in `bytes` into `model` (a model of the encoded architecture)
    /// and returns the weight sharing read back, by name. Throws if the bytes are truncated,
    /// corrupt or of another architecture; the model may then be partly overwritten.
    @discardableResult
    public static func decode(_ bytes: [UInt8], into model: Module) throws -> [String: SharedWeights] {
        var reader = BitReader(bytes)
        var sharing: [String: SharedWeights] = [:]
        for (name, tensor) in model.stateDict {
            switch try reader.read(bits: 8) {
            case 0:
                tensor.scalars = try (0..<tensor.count).map { _ in HalfPrecision.value(ofBits: UInt16(try reader.read(bits: 16))) }
            case 1:
                let clusters = try readShared(name, count: tensor.count, from: &reader)
                tensor.scalars = clusters.values
                sharing[name] = clusters
            case let tag:
                throw CompressedModelError.corrupt("\(name): unknown tensor tag \(tag) at byte \(reader.byteOffset - 1)")
            }
        }
        guard reader.byteOffset == bytes.count else {
            throw CompressedModelError.corrupt("\(bytes.count - reader.byteOffset) bytes left over after the last tensor: another architecture?")
        }
        return sharing
    }

    private static func writeShared(_ name: String, _ clusters: SharedWeights, indexBits: Int,
                                    into writer: inout BitWriter) throws -> CompressedTensorSize {
        // Only clusters that still have members are stored, renumbered in order.
        let used = Array(Set(clusters.assignments.filter { $0 >= 0 })).sorted()
        var renumbered = [Int](repeating: -1, count: clusters.centroids.count)
        for (new, old) in used.enumerated() { renumbered[old] = new }
        let k = used.count
        guard k < 1 << 16 else { throw CompressedModelError.unsupported("\(name): \(k) clusters; at most 65535 fit") }
        let positions = clusters.assignments.indices.filter { clusters.assignments[$0] >= 0 }
        let indices = try RelativeIndices(positions: positions, indexBits: indexBits)
        var real = positions.makeIterator()
        let symbols = indices.isFiller.map { $0 ? k : renumbered[clusters.assignments[real.next()!]] }
        let gapCode = try HuffmanCode(frequencies: histogram(indices.gaps, size: 1 << indexBits))
        let symbolCode = try HuffmanCode(frequencies: histogram(symbols, size: k + 1))

        let start = writer.bytes.count
        writer.write(1, bits: 8)
        writer.write(UInt64(indexBits), bits: 8)
        writer.write(UInt64(k), bits: 16)
        writer.write(UInt64(indices.count), bits: 32)
        for cluster in used { writer.write(UInt64(clusters.centroids.scalars[cluster].bitPattern), bits: 32) }
        gapCode.writeLengths(into: &writer)
        symbolCode.writeLengths(into: &writer)
        writer.alignToByte()
        let headerEnd = writer.bytes.count
        try gapCode.encode(indices.gaps, into: &writer)
        writer.alignToByte()
        let indexEnd = writer.bytes.count
        try symbolCode.encode(symbols, into: &writer)
        writer.alignToByte()
        return CompressedTensorSize(name: name, elements: clusters.assignments.count, nonzero: positions.count,
                                    entries: indices.count, indexBits: indexBits, clusters: k,
                                    headerBytes: headerEnd - start, indexBytes: indexEnd - headerEnd,
                                    valueBytes: writer.bytes.count - indexEnd)
    }

    private static func readShared(_ name: String, count: Int, from reader: inout BitReader) throws -> SharedWeights {
        let indexBits = Int(try reader.read(bits: 8))
        let k = Int(try reader.read(bits: 16))
        let entries = Int(try reader.read(bits: 32))
        guard (1...16).contains(indexBits), entries <= count else {
            throw CompressedModelError.corrupt("\(name): \(entries) entries of \(indexBits)-bit indices for a tensor of \(count) weights")
        }
        let centroids = try (0..<k).map { _ in Float(bitPattern: UInt32(try reader.read(bits: 32))) }
        let gapCode = try HuffmanCode.readLengths(alphabetSize: 1 << indexBits, from: &reader)
        let symbolCode = try HuffmanCode.readLengths(alphabetSize: k + 1, from: &reader)
        reader.alignToByte()
        let gaps = try gapCode.decode(count: entries, from: &reader)
        reader.alignToByte()
        let symbols = try symbolCode.decode(count: entries, from: &reader)
        reader.alignToByte()
        let indices = try RelativeIndices(gaps: gaps, isFiller: symbols.map { $0 == k }, indexBits: indexBits)
        guard indices.end <= count else {
            throw CompressedModelError.corrupt("\(name): indices run to position \(indices.end - 1) in a tensor of \(count) weights")
        }
        var assignments = [Int](repeating: -1, count: count)
        for (position, symbol) in zip(indices.positions, symbols.filter { $0 != k }) { assignments[position] = symbol }
        return try SharedWeights(centroids: centroids, assignments: assignments)
    }

    private static func histogram(_ symbols: [Int], size: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: size)
        for symbol in symbols { counts[symbol] += 1 }
        return counts
    }
}
