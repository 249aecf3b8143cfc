import Foundation

/// The thin singular value decomposition A = U·diag(σ)·Vᵀ of an m×n matrix, k = min(m, n):
/// U is m×k with orthonormal columns, σ₁ ≥ … ≥ σ_k ≥ 0, Vᵀ is k×n with orthonormal rows.
///
/// Computed in Double by one-sided Jacobi (Hestenes 1958): plane rotations are applied to
/// the k rows of A (or of Aᵀ when m > n, so the rotations always run over the smaller
/// dimension) until every pair of rows is orthogonal to working precision. The row norms
/// are then the singular values, the normalised rows one set of singular vectors and the
/// accumulated rotations the other. Unlike the eigenvalues of AᵀA, this keeps small
/// singular values accurate relative to their size (Demmel & Veselić 1992).
public struct SingularValueDecomposition {
    /// Rows of the decomposed matrix.
    public let rows: Int
    /// Columns of the decomposed matrix.
    public let columns: Int
    /// U, `rows` × k, row-major.
    public let u: [Double]
    /// σ, descending, k of them.
    public let singularValues: [Double]
    /// Vᵀ, k × `columns`, row-major.
    public let vTransposed: [Double]
    /// Jacobi sweeps until convergence (typically 6–12).
    public let sweeps: Int

    /// Decomposes the row-major `rows` × `columns` matrix `matrix`.
    public init(_ matrix: [Double], rows: Int, columns: Int) throws {
        guard rows > 0, columns > 0, matrix.count == rows * columns else {
            throw TensorError.invalidShape([rows, columns], "SVD needs a non-empty matrix with rows·columns = \(matrix.count) values")
        }
        guard matrix.allSatisfy(\.isFinite) else {
            throw SVDError.nonFiniteInput(rows: rows, columns: columns)
        }
        self.rows = rows
        self.columns = columns
        // Rotate rows of W (k × length); W = A, or Aᵀ when A is tall.
        let transpose = rows > columns
        let k = min(rows, columns), length = max(rows, columns)
        var w = transpose ? transposedMatrix(matrix, rows: rows, columns: columns) : matrix
        // P = Qᵀ accumulates the rotations: P·W₀ = W, so W₀ = Pᵀ·W = Pᵀ·Σ·N.
        var p = [Double](repeating: 0, count: k * k)
        for i in 0..<k { p[i * k + i] = 1 }
        sweeps = try orthogonalizeRows(&w, &p, count: k, length: length)

        let sigma = w.withUnsafeBufferPointer { rows in
            (0..<k).map { i in dot(rows.baseAddress! + i * length, rows.baseAddress! + i * length, length).squareRoot() }
        }
        for i in 0..<k where sigma[i] > 0 {
            for t in 0..<length { w[i * length + t] /= sigma[i] }
        }
        completeOrthonormalRows(&w, count: k, length: length, missing: (0..<k).filter { sigma[$0] == 0 })
        let order = (0..<k).sorted { sigma[$0] > sigma[$1] }
        singularValues = order.map { sigma[$0] }

        // A = Pᵀ Σ N (wide) or A = Nᵀ Σ P (tall), with N the normalised rows of W.
        var u = [Double](repeating: 0, count: rows * k)
        var vTransposed = [Double](repeating: 0, count: k * columns)
        for (r, source) in order.enumerated() {
            for i in 0..<rows { u[i * k + r] = transpose ? w[source * length + i] : p[source * k + i] }
            for j in 0..<columns { vTransposed[r * columns + j] = transpose ? p[source * k + j] : w[source * length + j] }
        }
        self.u = u
        self.vTransposed = vTransposed
    }

    /// Decomposes a 2-D tensor (converted to Double).
    public init(_ matrix: Tensor) throws {
        guard matrix.rank == 2 else {
            throw TensorError.invalidShape(matrix.shape, "SVD needs a matrix (2-D tensor)")
        }
        try self.init(matrix.scalars.map(Double.init), rows: matrix.shape[0], columns: matrix.shape[1])
    }

    /// k = min(rows, columns): the number of singular values.
    public var count: Int { singularValues.count }

    /// The smallest rank r whose singular values hold at least `fraction` of the spectral
    /// energy Σσᵢ², i.e. Σ_{i<r} σᵢ² ≥ fraction · Σ σᵢ² (1 for an all-zero matrix).
    public func rank(keepingEnergy fraction: Double) -> Int {
        let energies = singularValues.map { $0 * $0 }
        let total = energies.reduce(0, +)
        var kept = 0.0
        for (index, energy) in energies.enumerated() {
            kept += energy
            // A relative slack of a few ulps so that fraction 1 stops at the last non-zero σ.
            if kept >= fraction * total * (1 - 4 * .ulpOfOne) { return index + 1 }
        }
        return count
    }

    /// Fraction of the spectral energy held by the first `rank` singular values.
    public func energy(ofRank rank: Int) -> Double {
        let total = singularValues.reduce(0) { $0 + $1 * $1 }
        return total == 0 ? 1 : singularValues.prefix(rank).reduce(0) { $0 + $1 * $1 } / total
    }

    /// U_r·diag(σ_r)·V_rᵀ, row-major `rows` × `columns`: by Eckart–Young, the best
    /// approximation of rank `rank` in the Frobenius and spectral norms.
    public func reconstructed(rank: Int) -> [Double] {
        var result = [Double](repeating: 0, count: rows * columns)
        for r in 0..<min(rank, count) {
            for i in 0..<rows {
                let scale = u[i * count + r] * singularValues[r]
                for j in 0..<columns { result[i * columns + j] += scale * vTransposed[r * columns + j] }
            }
        }
        return result
    }
}

/// Errors of the SVD that are not about its input's shape.
public enum SVDError: Error, Equatable, CustomStringConvertible {
    /// The matrix holds a NaN or an infinity, which no rotation can orthogonalise.
    case nonFiniteInput(rows: Int, columns: Int)
    /// The rotations did not orthogonalise the rows within `sweeps` sweeps; the matrix is badly conditioned.
    case didNotConverge(rows: Int, columns: Int, sweeps: Int)

    public var description: String {
        switch self {
        case let .nonFiniteInput(rows, columns):
            return "SVD: the \(rows)×\(columns) matrix contains NaN or infinity; expected finite values"
        case let .didNotConverge(rows, columns, sweeps):
            return "SVD of a \(rows)×\(columns) matrix did not converge in \(sweeps) Jacobi sweeps"
        }
    }
}

/// Rotates pairs of rows of `w` (`count` × `length`) until all are mutually orthogonal,
/// applying each rotation to the rows of `p` (`count` × `count`) as well. Returns the sweeps.
///
/// For rows a, b with α = |a|², β = |b|², γ = a·b, the rotation a' = c·a − s·b,
/// b' = s·a + c·b with t = s/c = sign(ζ)/(|ζ| + √(1+ζ²)), ζ = (β − α)/2γ makes a'·b' = 0 and
/// gives |a'|² = α − tγ, |b'|² = β + tγ. A pair counts as orthogonal once
/// |γ| ≤ √length·ε·√(αβ) (LAPACK dgesvj's threshold); norms are recomputed every sweep
/// so the cheap updates cannot drift.
private func orthogonalizeRows(_ w: inout [Double], _ p: inout [Double], count k: Int, length: Int) throws -> Int {
    let tolerance = Double(length).squareRoot() * .ulpOfOne
    let maximumSweeps = 60
    return try w.withUnsafeMutableBufferPointer { wBuffer in
        try p.withUnsafeMutableBufferPointer { pBuffer in
            let w = wBuffer.baseAddress!, p = pBuffer.baseAddress!
            var norms = [Double](repeating: 0, count: k)
            for sweep in 1...maximumSweeps {
                for i in 0..<k { norms[i] = dot(w + i * length, w + i * length, length) }
                var rotated = false
                for i in 0..<(k - 1) {
                    for j in (i + 1)..<k {
                        let alpha = norms[i], beta = norms[j]
                        guard alpha > 0, beta > 0 else { continue }  // a zero row is orthogonal to all
                        let gamma = dot(w + i * length, w + j * length, length)
                        guard abs(gamma) > tolerance * (alpha * beta).squareRoot() else { continue }
                        rotated = true
                        let zeta = (beta - alpha) / (2 * gamma)
                        let t = (zeta >= 0 ? 1 : -1) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                        let c = 1 / (1 + t * t).squareRoot(), s = c * t
                        rotate(w + i * length, w + j * length, length, c: c, s: s)
                        rotate(p + i * k, p + j * k, k, c: c, s: s)
                        norms[i] = alpha - t * gamma
                        norms[j] = beta + t * gamma
                    }
                }
                if !rotated { return sweep }
            }
            throw SVDError.didNotConverge(rows: k, columns: length, sweeps: maximumSweeps)
        }
    }
}

/// Replaces the (zero) rows listed in `missing` by unit vectors orthogonal to every other
/// row, so that the singular vectors of a rank-deficient matrix still form an orthonormal set.
/// Each is a standard basis vector with the other rows projected out (twice, for accuracy);
/// the first whose remainder keeps at least 1/length of its norm² is taken — one exists,
/// since the remainders' norms² sum to at least 1 over all basis vectors.
private func completeOrthonormalRows(_ w: inout [Double], count k: Int, length: Int, missing: [Int]) {
    var filled = Set(0..<k).subtracting(missing)
    for row in missing {
        for basis in 0..<length {
            var candidate = [Double](repeating: 0, count: length)
            candidate[basis] = 1
            for _ in 0..<2 {
                for other in filled {
                    let projection = (0..<length).reduce(0) { $0 + candidate[$1] * w[other * length + $1] }
                    for t in 0..<length { candidate[t] -= projection * w[other * length + t] }
                }
            }
            let norm = candidate.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm * norm >= 1 / Double(length) {
                for t in 0..<length { w[row * length + t] = candidate[t] / norm }
                filled.insert(row)
                break
            }
        }
    }
}

/// Σ a[t]·b[t] over `n` elements, four lanes at a time (AVX2).
@inline(__always)
private func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var sum0 = SIMD4<Double>(), sum1 = SIMD4<Double>()
    var t = 0
    while t + 8 <= n {
        sum0.addProduct(load4(a + t), load4(b + t))
        sum1.addProduct(load4(a + t + 4), load4(b + t + 4))
        t += 8
    }
    var total = (sum0 + sum1).sum()
    while t < n {
        total += a[t] * b[t]
        t += 1
    }
    return total
}

/// (a, b) ← (c·a − s·b, s·a + c·b) over `n` elements.
@inline(__always)
private func rotate(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ n: Int, c: Double, s: Double) {
    let c4 = SIMD4<Double>(repeating: c), s4 = SIMD4<Double>(repeating: s)
    var t = 0
    while t + 4 <= n {
        let x = load4(a + t), y = load4(b + t)
        UnsafeMutableRawPointer(a + t).storeBytes(of: c4 * x - s4 * y, as: SIMD4<Double>.self)
        UnsafeMutableRawPointer(b + t).storeBytes(of: s4 * x + c4 * y, as: SIMD4<Double>.self)
        t += 4
    }
    while t < n {
        let x = a[t], y = b[t]
        a[t] = c * x - s * y
        b[t] = s * x + c * y
        t += 1
    }
}

@inline(__always)
private func load4(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always)
private func load4(_ pointer: UnsafeMutablePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
}

private func transposedMatrix(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
    var result = [Double](repeating: 0, count: matrix.count)
    for i in 0..<rows {
        for j in 0..<columns { result[j * rows + i] = matrix[i * columns + j] }
    }
    return result
}
