/// How `sgemm` divides its work among threads: C is cut into a grid of
/// `rowParts` × `columnParts` blocks along micro-tile boundaries, and k into
/// `depthParts` slices whose partial products are summed afterwards.
///
/// Splitting k is what keeps skinny products such as (m, n, k) = (10, 25, 36864) —
/// a weight gradient — parallel: their C has too few tiles to share out.
struct GEMMPartition: Equatable {
    let rowParts: Int
    let columnParts: Int
    let depthParts: Int

    /// Work below this many floating-point operations per thread is not worth waking a
    /// thread for (dispatch costs a few microseconds; 1 MFLOP takes ~15 µs on one core).
    static let minimumFlopsPerThread = 1_000_000

    var count: Int { rowParts * columnParts * depthParts }

    static let serial = GEMMPartition(rowParts: 1, columnParts: 1, depthParts: 1)

    /// The cheapest partition for at most `threads` threads, judged by the padded
    /// micro-tile work plus packing per thread (of A only when B comes packed).
    static func best(m: Int, n: Int, k: Int, threads: Int, packsB: Bool = true) -> GEMMPartition {
        let flops = 2 * Double(m) * Double(n) * Double(k)
        let useful = min(threads, Int(flops / Double(minimumFlopsPerThread)))
        guard useful > 1 else { return .serial }
        let mr = GEMMMicroKernel.rows, nr = GEMMMicroKernel.columns
        let rowTiles = (m + mr - 1) / mr, columnTiles = (n + nr - 1) / nr

        var best = GEMMPartition.serial
        var bestCost = Double.infinity
        for rowParts in 1...min(useful, rowTiles) {
            for columnParts in 1...min(useful / rowParts, columnTiles) {
                let depthParts = useful / (rowParts * columnParts)
                // Every k slice must be non-empty: its partial C is summed unconditionally.
                guard depthParts <= k else { continue }
                let rows = Double((rowTiles + rowParts - 1) / rowParts * mr)
                let columns = Double((columnTiles + columnParts - 1) / columnParts * nr)
                let depth = Double((k + depthParts - 1) / depthParts)
                // In units of one multiply-add (16 per cycle): packing an element costs
                // about 12; summing a k slice's partial C into C, done by one thread
                // after the others finish, about 8 per element.
                let cost = rows * columns * depth + 12 * (rows + (packsB ? columns : 0)) * depth
                    + 8 * Double(m * n * (depthParts - 1))
                let candidate = GEMMPartition(
                    rowParts: rowParts, columnParts: columnParts, depthParts: depthParts)
                if cost < bestCost {
                    best = candidate
                    bestCost = cost
                }
            }
        }
        return best
    }

    /// The rows, columns and k slice of part `index`, each cut on tile boundaries.
    func part(_ index: Int, m: Int, n: Int, k: Int)
        -> (rows: Range<Int>, columns: Range<Int>, depth: Range<Int>, depthIndex: Int)
    {
        let rowIndex = index % rowParts
        let columnIndex = (index / rowParts) % columnParts
        let depthIndex = index / (rowParts * columnParts)
        return (
            Self.slice(m, parts: rowParts, index: rowIndex, multiple: GEMMMicroKernel.rows),
            Self.slice(n, parts: columnParts, index: columnIndex, multiple: GEMMMicroKernel.columns),
            Self.slice(k, parts: depthParts, index: depthIndex, multiple: 1),
            depthIndex
        )
    }

    /// Part `index` of `0..<count` cut into `parts` runs of whole `multiple`s.
    private static func slice(_ count: Int, parts: Int, index: Int, multiple: Int) -> Range<Int> {
        let units = (count + multiple - 1) / multiple
        let start = min(count, units * index / parts * multiple)
        let end = min(count, units * (index + 1) / parts * multiple)
        return start..<end
    }
}
