/// The cache-blocked loop nest of `sgemm` (Goto / BLIS order) for one block of C,
/// run by a single thread.
///
/// For each NC-wide column block and KC-deep slice of k, a KC×NC block of op(B) is
/// packed once (it stays in L2/L3); for each MC-high row block an MC×KC block of op(A)
/// is packed (it stays in L2); the micro-kernel then sweeps 6×16 tiles (6×32 with AVX-512,
/// `GEMMPairKernel`) with one KC×16 (KC×32) B micro-panel resident in L1 while the A
/// micro-panels stream past it.
struct GEMMBlocking {
    /// Depth of a packed slice: a KC×16 B micro-panel (16 KiB) fills half of L1d.
    static let depthBlock = 256
    /// Rows of a packed A block: 144×256 floats (144 KiB) sit comfortably in L2.
    static let rowBlock = 144
    /// Columns of a packed B block: 256×4080 floats (4 MiB) stay in L3.
    static let columnBlock = 4080

    let a: UnsafePointer<Float>
    let lda: Int
    let transA: Bool
    let b: Operand
    /// op(B) as stored, or already packed (`GEMMPackedOperand`).
    enum Operand {
        case matrix(UnsafePointer<Float>, ldb: Int, transposed: Bool)
        /// Panels of 16 columns, each `depth` deep: column j's panel starts at j · depth.
        case packed(UnsafePointer<Float>, depth: Int)
    }
    let alpha: Float

    /// C[rows, columns] = alpha · op(A)[rows, depth] · op(B)[depth, columns] + beta · C,
    /// where `c` points at the element of C at (rows.lowerBound, columns.lowerBound), then
    /// `epilogue` on each finished block.
    func multiply(
        rows: Range<Int>, columns: Range<Int>, depth: Range<Int>,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue = GEMMEpilogue(), workspace: GEMMWorkspace
    ) {
        let mr = GEMMMicroKernel.rows, nr = GEMMMicroKernel.columns
        let columnStep = Self.step(columns.count, limit: Self.columnBlock, multiple: nr)
        let depthStep = Self.step(depth.count, limit: Self.depthBlock, multiple: 1)
        let rowStep = Self.step(rows.count, limit: Self.rowBlock, multiple: mr)
        let packedB: UnsafeMutablePointer<Float>? = if case .matrix = b { workspace.packedB(count: depthStep * columnStep) } else { nil }
        let packedA = workspace.packedA(count: rowStep * depthStep)

        for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: columnStep) {
            let columnBlock = j0..<min(j0 + columnStep, columns.upperBound)
            for p0 in stride(from: depth.lowerBound, to: depth.upperBound, by: depthStep) {
                let depthBlock = p0..<min(p0 + depthStep, depth.upperBound)
                let kc = depthBlock.count
                // Later slices of k add to what the first slice wrote.
                let update = GEMMMicroKernel.Update(beta: p0 == depth.lowerBound ? beta : 1)
                // The block's B panels: column jr of the block (a multiple of 16) starts at
                // panels + jr · panelStride.
                let (panels, panelStride): (UnsafePointer<Float>, Int)
                switch b {
                case let .matrix(b, ldb, transposed):
                    GEMMPacking.packB(b, ldb: ldb, transposed: transposed, depth: depthBlock, columns: columnBlock, into: packedB!)
                    (panels, panelStride) = (UnsafePointer(packedB!), kc)
                case let .packed(base, depth):
                    (panels, panelStride) = (base + j0 * depth + p0 * nr, depth)
                }
                for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: rowStep) {
                    let rowBlock = i0..<min(i0 + rowStep, rows.upperBound)
                    GEMMPacking.packA(
                        a, lda: lda, transposed: transA, rows: rowBlock, depth: depthBlock,
                        into: packedA)
                    let cBlock = c + (i0 - rows.lowerBound) * ldc + (j0 - columns.lowerBound)
                    #if SWIFTLET_AVX512
                    // Pairs of B panels go to the 16-lane kernel; a last panel without a
                    // partner takes the loop below.
                    let pairedColumns = GEMMPairKernel.pairedColumns(columnBlock.count)
                    for jr in stride(from: 0, to: pairedColumns, by: GEMMPairKernel.columns) {
                        for ir in stride(from: 0, to: rowBlock.count, by: mr) {
                            GEMMPairKernel.multiply(
                                kc: kc, a: packedA + ir * kc, left: panels + jr * panelStride, right: panels + (jr + nr) * panelStride,
                                c: cBlock + ir * ldc + jr, ldc: ldc, m: min(mr, rowBlock.count - ir),
                                n: min(GEMMPairKernel.columns, columnBlock.count - jr), alpha: alpha, update: update)
                        }
                    }
                    #else
                    let pairedColumns = 0
                    #endif
                    for jr in stride(from: pairedColumns, to: columnBlock.count, by: nr) {
                        let width = min(nr, columnBlock.count - jr)
                        var ir = 0
                        while ir < rowBlock.count {
                            // A panel of at most 8 columns takes two A panels at a time.
                            if width <= GEMMNarrowColumnsKernel.columns && rowBlock.count - ir > mr {
                                GEMMNarrowColumnsKernel.multiply(
                                    kc: kc, upper: packedA + ir * kc, lower: packedA + (ir + mr) * kc, b: panels + jr * panelStride,
                                    c: cBlock + ir * ldc + jr, ldc: ldc, m: min(2 * mr, rowBlock.count - ir), n: width,
                                    alpha: alpha, update: update)
                                ir += 2 * mr
                                continue
                            }
                            GEMMMicroKernel.multiply(
                                kc: kc, a: packedA + ir * kc, b: panels + jr * panelStride,
                                c: cBlock + ir * ldc + jr, ldc: ldc,
                                m: min(mr, rowBlock.count - ir), n: width,
                                alpha: alpha, update: update)
                            ir += mr
                        }
                    }
                    if depthBlock.upperBound == depth.upperBound {
                        epilogue.apply(cBlock, ldc: ldc, rows: rowBlock.count, columns: columnBlock)
                    }
                }
            }
        }
    }

    /// The block size that splits `count` into the fewest blocks of at most `limit`
    /// (rounded up to `multiple`), balanced so that the last block is not a sliver.
    static func step(_ count: Int, limit: Int, multiple: Int) -> Int {
        let blocks = max(1, (count + limit - 1) / limit)
        let even = (count + blocks - 1) / blocks
        return max(multiple, (even + multiple - 1) / multiple * multiple)
    }
}
