/// The layout SparseLinear multiplies dense inputs with: AVX-512 register permutes where the
/// build machine has them (Package.swift then defines SWIFTLET_AVX512), AVX2 permutes of
/// 8-column windows where it has AVX2 and FMA (SWIFTLET_AVX2), 8-wide gathers elsewhere. All
/// take `init(dense:rows:columns:)` and `linear(input:batch:bias:output:)`.
#if SWIFTLET_AVX512
public typealias SparseProductMatrix = BlockedEllpackMatrix
#elseif SWIFTLET_AVX2
public typealias SparseProductMatrix = WindowedEllpackMatrix
#else
public typealias SparseProductMatrix = SlicedEllpackMatrix
#endif

/// The non-zero columns of each row of a dense row-major matrix, and the rows longest first
/// (equal lengths keep their order, so the layouts are deterministic): how the sliced layouts
/// group rows of nearly equal length.
func rowsByLength(dense: [Float], rows: Int, columns: Int) -> (columns: [[Int]], order: [Int]) {
    let rowColumns = (0..<rows).map { r in (0..<columns).filter { dense[r * columns + $0] != 0 } }
    return (rowColumns, (0..<rows).sorted { (rowColumns[$0].count, $1) > (rowColumns[$1].count, $0) })
}

/// The fewest slices worth a thread of their own for `slots` weight slots (padding
/// included) times `batch` rows: below ~64k multiply-adds (tens of microseconds) one thread
/// is faster than waking another.
func minimumSlicesPerThread(slices: Int, slots: Int, batch: Int) -> Int {
    max(1, slices * 65_536 / max(slots * batch, 1))
}

/// y[row] = bias[row] + sums[lane] for the rows whose lanes slice `slice` computed (lane l
/// of the slice is row `order[slice · lanes + l]`; lanes past `rows` are unused).
@inline(__always)
func storeSlice<Lanes: SIMD>(_ sums: Lanes, _ slice: Int, rows: Int, order: UnsafePointer<Int32>, bias: UnsafePointer<Float>?,
                             _ y: UnsafeMutablePointer<Float>) where Lanes.Scalar == Float {
    let first = slice * Lanes.scalarCount
    for lane in 0..<min(Lanes.scalarCount, rows - first) {
        let row = Int(order[first + lane])
        y[row] = (bias?[row] ?? 0) + sums[lane]
    }
}
