// Matrix–vector products: `sgemm` with a single row of C (batch-1 inference, the
// per-sample layers of LeNet-300-100). Packing B for one row would cost more than the
// product itself, so these stream B once, straight from memory.

/// c[0..<n] = alpha · x · op(B) + beta · c, with x a contiguous row of k values.
func sgemv(
    transB: Bool, n: Int, k: Int, alpha: Float, x: UnsafePointer<Float>,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>
) {
    // Big enough matrices are split by output columns: each thread reads its own part of B.
    let parts = n * k >= 1 << 17 ? min(Parallel.availableThreads, max(1, n / 64)) : 1
    Parallel.forRanges(n, minimumChunk: (n + parts - 1) / parts) { columns in
        if transB {
            // B is n×k: each output is a dot product of x with a contiguous row of B.
            for j in columns {
                let value = alpha * dot(x, b + j * ldb, k)
                c[j] = beta == 0 ? value : value + beta * c[j]
            }
        } else {
            // B is k×n: accumulate rows of B scaled by x[p] into the output slice.
            let width = columns.count, out = c + columns.lowerBound
            if beta == 0 { out.update(repeating: 0, count: width) } else if beta != 1 { for j in 0..<width { out[j] *= beta } }
            for p in 0..<k where x[p] != 0 {
                axpy(alpha * x[p], b + p * ldb + columns.lowerBound, out, width)
            }
        }
    }
}

/// Σ x[i]·y[i] with four 8-wide accumulators.
@inline(__always)
private func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= count {
        a0.addProduct(load(x + i), load(y + i))
        a1.addProduct(load(x + i + 8), load(y + i + 8))
        a2.addProduct(load(x + i + 16), load(y + i + 16))
        a3.addProduct(load(x + i + 24), load(y + i + 24))
        i += 32
    }
    while i + 8 <= count {
        a0.addProduct(load(x + i), load(y + i))
        i += 8
    }
    var sum = ((a0 + a1) + (a2 + a3)).sum()
    while i < count {
        sum += x[i] * y[i]
        i += 1
    }
    return sum
}

/// y[i] += a·x[i].
@inline(__always)
private func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    let scale = SIMD8<Float>(repeating: a)
    var i = 0
    while i + 8 <= count {
        var acc = load(y + i)
        acc.addProduct(scale, load(x + i))
        UnsafeMutableRawPointer(y + i).storeBytes(of: acc, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        y[i] += a * x[i]
        i += 1
    }
}

@inline(__always)
private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
