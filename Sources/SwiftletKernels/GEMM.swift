/// Single-precision general matrix multiply on row-major matrices:
/// C = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ.
/// op(A) is m×k, op(B) is k×n, C is m×n. `lda`, `ldb`, `ldc` are row strides.
/// When beta == 0, C is overwritten and its previous contents are never read. `epilogue`
/// (a bias per column, a ReLU) is applied to C last.
///
/// Packed and cache-blocked (see `GEMMBlocking`) around a 6×16 AVX2/FMA micro-kernel, or a
/// 6×32 AVX-512 one (`GEMMPairKernel`) where the build has it.
/// Products large enough to pay for it are spread over up to `Parallel.threads`
/// threads; small ones run entirely on the calling thread, so calling `sgemm` from
/// inside `Parallel.forEach` is cheap.
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue = GEMMEpilogue()
) {
    guard needsProduct(m: m, n: n, k: k, alpha: alpha, transA: transA, lda: lda, beta: beta, c: c, ldc: ldc, epilogue: epilogue) else { return }
    precondition(ldb >= (transB ? k : n), "sgemm: ldb=\(ldb) is less than the width of B (\(transB ? k : n))")

    if m == 1 && (!transA || lda == 1) {
        // One row of C: a matrix–vector product (op(A) is then a contiguous row of k values).
        sgemv(transB: transB, n: n, k: k, alpha: alpha, x: a, b: b, ldb: ldb, beta: beta, c: c)
        return epilogue.apply(c, ldc: ldc, rows: 1, columns: 0..<n)
    }

    let blocking = GEMMBlocking(a: a, lda: lda, transA: transA, b: .matrix(b, ldb: ldb, transposed: transB), alpha: alpha)
    multiply(blocking, m: m, n: n, k: k, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
}

/// `sgemm` with op(B) packed beforehand (`GEMMPackedOperand`, k×n): for a product that
/// reuses its B, as inference reuses a layer's weight, the packing is done once.
public func sgemm(
    transA: Bool, m: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: GEMMPackedOperand,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue = GEMMEpilogue()
) {
    let (n, k) = (b.columns, b.depth)
    guard needsProduct(m: m, n: n, k: k, alpha: alpha, transA: transA, lda: lda, beta: beta, c: c, ldc: ldc, epilogue: epilogue) else { return }
    withExtendedLifetime(b) {
        let blocking = GEMMBlocking(a: a, lda: lda, transA: transA, b: .packed(b.panels, depth: k), alpha: alpha)
        multiply(blocking, m: m, n: n, k: k, beta: beta, c: c, ldc: ldc, epilogue: epilogue)
    }
}

/// The checks both `sgemm`s make on their sizes, C and A, and the calls with nothing to
/// multiply: an empty C, or k = 0 or alpha = 0 (then C = beta · C and the epilogue). False
/// when that was all.
private func needsProduct(m: Int, n: Int, k: Int, alpha: Float, transA: Bool, lda: Int, beta: Float, c: UnsafeMutablePointer<Float>,
                          ldc: Int, epilogue: GEMMEpilogue) -> Bool {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return false }
    precondition(ldc >= n, "sgemm: ldc=\(ldc) is less than n=\(n)")
    if k == 0 || alpha == 0 {
        scale(c, m: m, n: n, ldc: ldc, by: beta)
        epilogue.apply(c, ldc: ldc, rows: m, columns: 0..<n)
        return false
    }
    precondition(lda >= (transA ? m : k), "sgemm: lda=\(lda) is less than the width of A (\(transA ? m : k))")
    return true
}

/// C = `blocking`'s product (+ beta · C), then the epilogue, shared out among threads.
private func multiply(_ blocking: GEMMBlocking, m: Int, n: Int, k: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                      epilogue: GEMMEpilogue) {
    let packsB = if case .matrix = blocking.b { true } else { false }
    let partition = GEMMPartition.best(m: m, n: n, k: k, threads: Parallel.availableThreads, packsB: packsB)
    if partition == .serial {
        GEMMWorkspace.withWorkspace { workspace in
            blocking.multiply(
                rows: 0..<m, columns: 0..<n, depth: 0..<k, beta: beta, c: c, ldc: ldc, epilogue: epilogue,
                workspace: workspace)
        }
        return
    }

    // Slices of k after the first write alpha·AB into their own m×n partial C
    // (row stride n), which is added to C once every part is done.
    GEMMWorkspace.withWorkspace { reduction in
        let partials = partition.depthParts > 1
            ? reduction.partialC(count: (partition.depthParts - 1) * m * n) : nil
        Parallel.forEach(partition.count) { index in
            let part = partition.part(index, m: m, n: n, k: k)
            guard !part.rows.isEmpty, !part.columns.isEmpty, !part.depth.isEmpty else { return }
            GEMMWorkspace.withWorkspace { workspace in
                if part.depthIndex == 0 {
                    blocking.multiply(
                        rows: part.rows, columns: part.columns, depth: part.depth, beta: beta,
                        c: c + part.rows.lowerBound * ldc + part.columns.lowerBound, ldc: ldc,
                        epilogue: partition.depthParts == 1 ? epilogue : GEMMEpilogue(), workspace: workspace)
                } else if let partials {
                    let partial = partials + (part.depthIndex - 1) * m * n
                    blocking.multiply(
                        rows: part.rows, columns: part.columns, depth: part.depth, beta: 0,
                        c: partial + part.rows.lowerBound * n + part.columns.lowerBound, ldc: n,
                        workspace: workspace)
                }
            }
        }
        guard let partials else { return }
        for slice in 1..<partition.depthParts {
            let partial = partials + (slice - 1) * m * n
            for i in 0..<m {
                let row = c + i * ldc, source = partial + i * n
                for j in 0..<n { row[j] += source[j] }
            }
        }
        // C was complete only now.
        epilogue.apply(c, ldc: ldc, rows: m, columns: 0..<n)
    }
}

/// C = beta · C, with beta == 0 writing zeros without reading C.
private func scale(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, by beta: Float) {
    if beta == 1 { return }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: n)
        } else {
            for j in 0..<n { row[j] *= beta }
        }
    }
}
