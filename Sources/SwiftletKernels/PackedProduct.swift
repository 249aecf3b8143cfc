/// C = A·B (or C += A·B) for operands already packed in `GEMMPacking`'s micro-panel layout,
/// single-threaded and without blocking: the product behind the convolution kernels.
///
/// A convolution multiplies the same weights by one im2col matrix per image. Packing the
/// weights once per call instead of once per image, and writing the im2col matrix straight
/// into B's panel layout where possible, removes most of the copying `sgemm` would do.
/// Convolution products are small (everything fits in L2), so only k is blocked.
enum PackedProduct {
    /// Floats occupied by an m×k operand packed as A (panels of 6 rows, zero-padded).
    static func packedACount(m: Int, k: Int) -> Int {
        (m + GEMMMicroKernel.rows - 1) / GEMMMicroKernel.rows * GEMMMicroKernel.rows * k
    }

    /// Floats occupied by a k×n operand packed as B (panels of 16 columns, zero-padded).
    static func packedBCount(k: Int, n: Int) -> Int {
        (n + GEMMMicroKernel.columns - 1) / GEMMMicroKernel.columns * GEMMMicroKernel.columns * k
    }

    /// Packs op(A) (m×k; `a[i·lda + p]`, or `a[p·lda + i]` when transposed).
    static func packA(
        _ a: UnsafePointer<Float>, lda: Int, transposed: Bool, m: Int, k: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        GEMMPacking.packA(a, lda: lda, transposed: transposed, rows: 0..<m, depth: 0..<k, into: packed)
    }

    /// Packs op(B) (k×n; `b[p·ldb + j]`, or `b[j·ldb + p]` when transposed).
    static func packB(
        _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, k: Int, n: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        GEMMPacking.packB(b, ldb: ldb, transposed: transposed, depth: 0..<k, columns: 0..<n, into: packed)
    }

    /// The length of the slices of k that `multiply` sums one after another: slices keep a B
    /// micro-panel (16·depth floats) within L1 however long k is (the weight gradient's k is a
    /// whole output plane); within a panel a slice is contiguous.
    static func depthStep(_ k: Int) -> Int {
        GEMMBlocking.step(k, limit: GEMMBlocking.depthBlock, multiple: 1)
    }

    /// `multiply` with B's columns shared among the threads in whole pairs of panels, for a
    /// product that is all the work there is (a batch of one image); on one thread when it is
    /// too small to pay for waking another (`GEMMPartition.minimumFlopsPerThread`).
    static func multiplySharingColumns(
        m: Int, n: Int, k: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let unit = 2 * GEMMMicroKernel.columns
        let unitsPerThread = GEMMPartition.minimumFlopsPerThread / max(2 * m * k * unit, 1)
        Parallel.forRanges((n + unit - 1) / unit, minimumChunk: max(1, unitsPerThread)) { units in
            let first = units.lowerBound * unit, end = min(n, units.upperBound * unit)
            multiply(m: m, n: end - first, k: k, packedA: packedA, packedB: packedB + first * k, c: c + first, ldc: ldc,
                     accumulate: accumulate)
        }
    }

    /// C[m, n] = A·B, or C += A·B when `accumulate`; C has row stride `ldc`.
    static func multiply(
        m: Int, n: Int, k: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let mr = GEMMMicroKernel.rows, nr = GEMMMicroKernel.columns
        let depthStep = Self.depthStep(k)
        #if SWIFTLET_AVX512
        // Pairs of B panels go to the 16-lane kernel, every A panel included (a last panel of
        // 1–3 rows costs it as many instructions as `GEMMShortRowsKernel` would); a last B
        // panel without a partner takes the code below.
        let pairedColumns = GEMMPairKernel.pairedColumns(n)
        for j in stride(from: 0, to: pairedColumns, by: 2 * nr) {
            for p in stride(from: 0, to: k, by: depthStep) {
                let depth = min(depthStep, k - p)
                let update: GEMMMicroKernel.Update = accumulate || p > 0 ? .accumulate : .overwrite
                for i in stride(from: 0, to: m, by: mr) {
                    GEMMPairKernel.multiply(
                        kc: depth, a: packedA + i * k + p * mr, left: packedB + j * k + p * nr,
                        right: packedB + (j + nr) * k + p * nr, c: c + i * ldc + j, ldc: ldc,
                        m: min(mr, m - i), n: min(2 * nr, n - j), alpha: 1, update: update)
                }
            }
        }
        if pairedColumns >= n { return }
        // The rest is one B panel of at most 16 columns, unpaired below.
        let firstColumn = pairedColumns
        #else
        let firstColumn = 0
        #endif
        // A last A panel of at most 3 rows goes to `GEMMShortRowsKernel`, two B panels at a
        // time (a B panel without a partner still takes the 6-row kernel).
        let shortRows = m % mr <= GEMMShortRowsKernel.rows ? m % mr : 0
        let fullRows = m - shortRows
        for j in stride(from: firstColumn, to: n, by: nr) {
            let startsPair = (j / nr) % 2 == 0 && j + nr < n
            let unpaired = (j / nr) % 2 == 0 && !startsPair
            for p in stride(from: 0, to: k, by: depthStep) {
                let depth = min(depthStep, k - p)
                let update: GEMMMicroKernel.Update = accumulate || p > 0 ? .accumulate : .overwrite
                for i in stride(from: 0, to: unpaired ? m : fullRows, by: mr) {
                    GEMMMicroKernel.multiply(
                        kc: depth, a: packedA + i * k + p * mr, b: packedB + j * k + p * nr,
                        c: c + i * ldc + j, ldc: ldc, m: min(mr, m - i), n: min(nr, n - j),
                        alpha: 1, update: update)
                }
                if startsPair && shortRows > 0 {
                    GEMMShortRowsKernel.multiply(
                        kc: depth, a: packedA + fullRows * k + p * mr, left: packedB + j * k + p * nr,
                        right: packedB + (j + nr) * k + p * nr, c: c + fullRows * ldc + j, ldc: ldc,
                        m: shortRows, n: min(2 * nr, n - j), update: update)
                }
            }
        }
    }
}
