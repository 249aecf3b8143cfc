/// The register-blocked core of `sgemm`: a 6×16 tile of C held in twelve 8-lane
/// accumulators (ymm registers with AVX2), updated by one fused multiply-add per
/// accumulator for every step along k.
///
/// 6×16 is the largest tile that fits AVX2's 16 vector registers: 12 accumulators,
/// 2 registers for the row of B and 1 for the broadcast element of A. Per k step it
/// issues 12 FMAs against 2 vector loads and 6 broadcasts, which keeps both FMA units busy.
enum GEMMMicroKernel {
    /// Rows of the C tile (the height of a packed A micro-panel).
    static let rows = 6
    /// Columns of the C tile (the width of a packed B micro-panel).
    static let columns = 16

    /// How a finished tile is combined with C.
    enum Update {
        /// C = alpha · AB (C is not read, so it may hold garbage such as NaN).
        case overwrite
        /// C = alpha · AB + C.
        case accumulate
        /// C = alpha · AB + beta · C.
        case scaleAndAccumulate(beta: Float)

        init(beta: Float) {
            if beta == 0 {
                self = .overwrite
            } else if beta == 1 {
                self = .accumulate
            } else {
                self = .scaleAndAccumulate(beta: beta)
            }
        }

        /// Combines the m×n block `source` (rows `sourceStride` apart; alpha already
        /// applied) with C: how every edge tile, parked on the stack, reaches C.
        @inline(__always)
        func apply(_ source: UnsafePointer<Float>, sourceStride: Int, to c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int) {
            for i in 0..<m {
                let from = source + i * sourceStride, row = c + i * ldc
                switch self {
                case .overwrite:
                    for j in 0..<n { row[j] = from[j] }
                case .accumulate:
                    for j in 0..<n { row[j] += from[j] }
                case .scaleAndAccumulate(let beta):
                    for j in 0..<n { row[j] = from[j] + beta * row[j] }
                }
            }
        }
    }

    /// Multiplies a packed 6×kc micro-panel of A by a packed kc×16 micro-panel of B and
    /// combines the 6×16 result with the tile at `c`, of which only the top-left
    /// `m`×`n` elements exist.
    ///
    /// - Parameters:
    ///   - a: kc groups of 6 consecutive elements (one column of the A panel each).
    ///   - b: kc groups of 16 consecutive elements (one row of the B panel each).
    @inline(__always)
    static func multiply(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int,
        alpha: Float, update: Update
    ) {
        // C is updated only after the whole k loop, so its lines have plenty of time to
        // arrive; without this the update stalls on cache misses whenever C exceeds L2.
        for i in 0..<m {
            prefetchForWriting(c + i * ldc)
            prefetchForWriting(c + i * ldc + columns - 1)
        }
        var tile = Tile()
        var ap = a
        var bp = b
        for _ in 0..<kc {
            tile.addOuterProduct(ap, bp)
            ap += rows
            bp += columns
        }
        if m == rows && n == columns {
            tile.store(to: c, ldc: ldc, alpha: alpha, update: update)
            return
        }
        // Edge tile: park the full 6×16 result on the stack and copy out what exists.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * columns) { buffer in
            let t = buffer.baseAddress!
            tile.store(to: t, ldc: columns, alpha: alpha, update: .overwrite)
            update.apply(t, sourceStride: columns, to: c, ldc: ldc, m: m, n: n)
        }
    }

    /// The twelve accumulators; separate stored properties so that they live in registers.
    private struct Tile {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
        var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()

        /// tile += a · b for one column `a` (6 elements) of A and one row `b` (16) of B.
        @inline(__always)
        mutating func addOuterProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) {
            let b0 = load(b), b1 = load(b + 8)
            fma(a[0], b0, b1, &c00, &c01)
            fma(a[1], b0, b1, &c10, &c11)
            fma(a[2], b0, b1, &c20, &c21)
            fma(a[3], b0, b1, &c30, &c31)
            fma(a[4], b0, b1, &c40, &c41)
            fma(a[5], b0, b1, &c50, &c51)
        }

        @inline(__always)
        func store(to c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, update: Update) {
            storeRow(c00, c01, to: c, alpha: alpha, update: update)
            storeRow(c10, c11, to: c + ldc, alpha: alpha, update: update)
            storeRow(c20, c21, to: c + 2 * ldc, alpha: alpha, update: update)
            storeRow(c30, c31, to: c + 3 * ldc, alpha: alpha, update: update)
            storeRow(c40, c41, to: c + 4 * ldc, alpha: alpha, update: update)
            storeRow(c50, c51, to: c + 5 * ldc, alpha: alpha, update: update)
        }
    }

    @inline(__always)
    private static func fma(
        _ a: Float, _ b0: SIMD8<Float>, _ b1: SIMD8<Float>,
        _ c0: inout SIMD8<Float>, _ c1: inout SIMD8<Float>
    ) {
        let broadcast = SIMD8<Float>(repeating: a)
        c0.addProduct(broadcast, b0)
        c1.addProduct(broadcast, b1)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Writes one 16-wide row of the tile according to `update`.
    @inline(__always)
    private static func storeRow(
        _ low: SIMD8<Float>, _ high: SIMD8<Float>, to p: UnsafeMutablePointer<Float>,
        alpha: Float, update: Update
    ) {
        update.combine(low, into: p, alpha: alpha)
        update.combine(high, into: p + 8, alpha: alpha)
    }
}

extension GEMMMicroKernel.Update {
    /// Combines the vector `value` of a full tile with the C elements at `p`: alpha · value,
    /// plus C (times beta), each with one rounding of a fused multiply-add. Every tile kernel
    /// combines its full tiles this way, whatever its vector width, so results do not depend on it.
    @inline(__always)
    func combine<Vector: SIMD>(_ value: Vector, into p: UnsafeMutablePointer<Float>, alpha: Float)
    where Vector.Scalar == Float {
        let c = UnsafeMutableRawPointer(p), scale = Vector(repeating: alpha)
        switch self {
        case .overwrite:
            c.storeBytes(of: value * scale, as: Vector.self)
        case .accumulate:
            c.storeBytes(of: c.loadUnaligned(as: Vector.self).addingProduct(value, scale), as: Vector.self)
        case .scaleAndAccumulate(let beta):
            let old = c.loadUnaligned(as: Vector.self) * Vector(repeating: beta)
            c.storeBytes(of: old.addingProduct(value, scale), as: Vector.self)
        }
    }
}
