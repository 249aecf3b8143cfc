import SwiftletKernels

/// The inference form of a pruned `Linear`: y = x·Wᵀ + b computed from sparse copies of W,
/// so the work is proportional to the non-zero weights.
///
/// Each input row takes the cheaper of two kernels: the product with W in a sliced layout
/// (`SparseProductMatrix.linear`: AVX-512 register permutes or 8-wide gathers), or, when
/// under `scatterDensity` of the inputs are
/// non-zero — after ReLU, or on MNIST digits — scattering only the non-zero inputs along the
/// rows of Wᵀ (`CSRMatrix.accumulateTransposedProduct`), which skips the weights that would
/// meet a zero.
///
/// It keeps the dense `weight` and `bias` as its parameters, so state dicts, checkpoints and
/// `ModelFootprint` see the same names and values as the Linear it replaced. It is a
/// snapshot: the sparse forms are built once, from the weight at conversion, so train the
/// dense model and convert it again rather than changing this layer's weight. It records no
/// graph and refuses an input that needs gradients.
public final class SparseLinear: Module, ReLUFusable {
    /// The dense weight at conversion, detached: what the state dict and `ModelFootprint` see.
    public let weight: Tensor
    /// The bias at conversion, detached, or nil.
    public let bias: Tensor?
    /// W [out, in], rows in slices (see `SparseProductMatrix`).
    public let matrix: SparseProductMatrix
    /// Wᵀ [in, out] in CSR form (W in compressed sparse columns).
    public let transposedMatrix: CSRMatrix
    /// Below this fraction of non-zero inputs the scattering kernel wins; it depends on the
    /// layout (`SparseProductMatrix.scatterDensity`).
    public static let scatterDensity = SparseProductMatrix.scatterDensity

    /// A sparse copy of `linear`'s current weights. Throws for a layer with more inputs than
    /// the layout's column indices address (`SparseProductMatrix.maximumColumns`: 65,536
    /// for the gathering one's 16-bit indices).
    public init(_ linear: Linear) throws {
        let (rows, columns) = (linear.outFeatures, linear.inFeatures)
        guard columns <= SparseProductMatrix.maximumColumns else {
            throw TensorError.invalidArgument(op: "SparseLinear", "takes at most \(SparseProductMatrix.maximumColumns) inputs (16-bit column indices), got Linear(\(columns), \(rows))")
        }
        weight = linear.weight.detached()
        bias = linear.bias?.detached()
        matrix = SparseProductMatrix(dense: weight.scalars, rows: rows, columns: columns)
        let w = weight.scalars
        transposedMatrix = CSRMatrix(dense: .generate(count: w.count) { i in w[(i % rows) * columns + i / rows] },
                                     rows: columns, columns: rows)
    }

    /// Inputs per row of x.
    public var inFeatures: Int { matrix.columns }
    /// Outputs per row of y.
    public var outFeatures: Int { matrix.rows }
    /// Fraction (0…1) of the weight that is zero.
    public var sparsity: Double { 1 - Double(matrix.nonzeroCount) / Double(max(weight.count, 1)) }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try forward(input, applyingReLU: false)
    }

    func forwardFollowedByReLU(_ input: Tensor) throws -> Tensor {
        try forward(input, applyingReLU: true)
    }

    /// `forward`, then ReLU over the output while it is in cache when `applyingReLU`.
    private func forward(_ input: Tensor, applyingReLU: Bool) throws -> Tensor {
        guard input.rank == 2, input.shape[1] == inFeatures else {
            throw TensorError.unexpectedShape(op: "SparseLinear(\(inFeatures), \(outFeatures))", input.shape, expected: "input [batch, \(inFeatures)]")
        }
        guard !(GradMode.isEnabled && input.requiresGrad) else {
            throw TensorError.invalidArgument(op: "SparseLinear", "is inference-only, but its input needs gradients; train the model with dense Linear layers and convert afterwards")
        }
        let (batch, n, m) = (input.shape[0], inFeatures, outFeatures)
        guard n > 0, m > 0 else {
            let row = (bias?.scalars ?? [Float](repeating: 0, count: m)).map { applyingReLU ? max($0, 0) : $0 }
            return result(input, Array((0..<batch).map { _ in row }.joined()))
        }
        let output = [Float].filled(count: batch * m) { y in
            input.scalars.withUnsafeBufferPointer { xs in
                withBiasPointer { b in
                    for row in 0..<batch {
                        let x = xs.baseAddress! + row * n, out = y + row * m
                        if Double(nonzeroCount(x, n)) < Self.scatterDensity * Double(n) {
                            if let b { out.update(from: b, count: m) } else { out.update(repeating: 0, count: m) }
                            transposedMatrix.accumulateTransposedProduct(input: x, output: out)
                        } else {
                            matrix.linear(input: x, batch: 1, bias: b, output: out)
                        }
                        if applyingReLU { reluForward(count: m, input: out, output: out) }
                    }
                }
            }
        }
        return result(input, output)
    }

    /// The output as the op it is, y = x·Wᵀ + b, so that a traced graph (FLOPs, export) sees
    /// this layer's dense weights; it has no backward (inputs needing one are refused above).
    private func result(_ input: Tensor, _ output: [Float]) -> Tensor {
        Tensor.result(of: .linear, shape: [input.shape[0], outFeatures], scalars: output, inputs: [input],
                      operands: { [input, self.weight] + (self.bias.map { [$0] } ?? []) }) { _ in [nil] }
    }

    /// Runs `body` with the bias values, or nil without a bias (no zero-filled stand-in to allocate).
    private func withBiasPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let bias else { return body(nil) }
        return bias.scalars.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    public override var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// The number of non-zeros among x[0..<count], eight at a time: it runs on every input row,
/// and a scalar loop over fc1's 784 inputs cost ~6 % of the sparse forward pass.
private func nonzeroCount(_ x: UnsafePointer<Float>, _ count: Int) -> Int {
    var counts = SIMD8<Int32>()
    var i = 0
    while i + 8 <= count {
        counts.replace(with: counts &+ 1, where: UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) .!= 0)
        i += 8
    }
    var total = Int(counts.wrappedSum())
    while i < count {
        if x[i] != 0 { total += 1 }
        i += 1
    }
    return total
}

/// A layer with an inference form that skips zero weights.
public protocol SparseConvertible: Module {
    /// The sparse form, or nil when it would not pay (fewer than `minimumSparsity` zeros, a
    /// shape the sparse layout cannot address).
    func sparseForm(minimumSparsity: Double) throws -> Module?
}

extension Linear: SparseConvertible {
    public func sparseForm(minimumSparsity: Double) throws -> Module? {
        let zeros = weight.count - weight.scalars.nonzeroCount
        guard Double(zeros) >= minimumSparsity * Double(weight.count), inFeatures <= SparseProductMatrix.maximumColumns else { return nil }
        return try SparseLinear(self)
    }
}

/// Replaces every `SparseConvertible` layer of `model` (a `Linear`, a layer of your own)
/// whose weight is at least `minimumSparsity` (0…1) zeros by its sparse form, for
/// inference. Returns the dotted paths of the layers replaced.
///
/// Below roughly 50–70 % sparsity a dense GEMM beats CSR, hence the threshold. A layer that
/// cannot be replaced (a plain `let` property) throws, and leaves the model as it was.
@discardableResult
public func convertToSparse(_ model: Module, minimumSparsity: Double = 0.7) throws -> [String] {
    var converted: [(path: String, original: Module)] = []
    do {
        for (path, module) in model.namedModules where !path.isEmpty {
            guard let layer = module as? SparseConvertible, let sparse = try layer.sparseForm(minimumSparsity: minimumSparsity) else { continue }
            try model.replaceSubmodule(at: path, with: sparse)
            converted.append((path, module))
        }
    } catch {
        // Each slot undone took a sparse form, so it takes its original back.
        for (path, original) in converted.reversed() { try? model.replaceSubmodule(at: path, with: original) }
        throw error
    }
    return converted.map(\.path)
}
