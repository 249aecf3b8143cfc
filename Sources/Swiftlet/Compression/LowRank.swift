import SwiftletKernels

// Low-rank factorisation of Linear and Conv2d layers by truncated SVD.
//
// A weight matrix M (rows × columns) ≈ U_r·Σ_r·V_rᵀ is split as (U_r·Σ_r^½)·(Σ_r^½·V_rᵀ): two
// thin factors with equal singular values, so neither dominates the gradients of
// fine-tuning. Each factor becomes a layer and the original bias moves to the second one.
//
// The replacement is a `Sequential` of two positional layers, so a decomposed `fc1` saves as
// `fc1.0.weight` [r, in], `fc1.1.weight` [out, r], `fc1.1.bias` [out] — the state dict of
// PyTorch's `nn.Sequential(nn.Linear(in, r, bias=False), nn.Linear(r, out))`; convolutions
// likewise (`conv1.0.weight`, `conv1.1.weight`, `conv1.1.bias`).

/// How many singular values a factorisation keeps.
public enum RankSelection: Equatable {
    /// Exactly this many, 1 … min(rows, columns) of the factorised matrix.
    case rank(Int)
    /// The fewest whose squares hold at least this fraction, in (0, 1], of Σσ².
    case energy(Double)
}

/// Which matrix of a convolution kernel W [C_out, C_in, kh, kw] is factorised.
public enum ConvFactorization: Sendable {
    /// W as C_out × (C_in·kh·kw): a kh×kw conv with r filters, then a 1×1 conv r → C_out.
    /// Per output position: r·(C_in·kh·kw + C_out) MACs instead of C_out·C_in·kh·kw.
    case filterBasis
    /// W as (C_in·kh) × (C_out·kw), M[(c, i), (o, j)] = W[o, c, i, j]: a kh×1 conv C_in → r,
    /// then a 1×kw conv r → C_out — Jaderberg et al. 2014's scheme 2, with the closed-form
    /// optimal filters of Tai et al. 2016. The kh×1 conv runs at every input column.
    case spatialSeparable
}

/// A layer's replacement by two thinner layers, and what was kept.
public struct LowRankFactorization {
    /// The two layers, named "0" and "1".
    public let module: Sequential
    /// Singular values kept.
    public let rank: Int
    /// min(rows, columns) of the factorised matrix: the rank at which the factorisation is exact.
    public let maximumRank: Int
    /// Fraction of Σσ² kept (1 at full rank).
    public let energyKept: Double
}

extension Linear: Factorizable {
    /// W [out, in] ≈ (U_r Σ_r^½)(Σ_r^½ V_rᵀ) as `Linear(in, r, bias: false)` then `Linear(r, out)`.
    /// Parameters: r·(in + out) + out instead of in·out + out. (`form` is for convolutions.)
    public func lowRank(_ selection: RankSelection, form: ConvFactorization = .filterBasis) throws -> LowRankFactorization {
        let factors = try SplitFactors(weight.scalars, rows: outFeatures, columns: inFeatures, selection, layer: "Linear(\(inFeatures), \(outFeatures))")
        let (first, second) = factorizedLayers(rank: factors.rank)
        first.weight = Tensor(shape: first.weight.shape, scalars: factors.right, requiresGrad: true)
        second.weight = Tensor(shape: second.weight.shape, scalars: factors.left, requiresGrad: true)
        second.bias = bias.map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
        return factors.result(Sequential([("0", first), ("1", second)]))
    }

    public func factorization(shapedLike firstFactor: [Int]) throws -> Module {
        let rank = try savedRank(firstFactor, maximum: min(inFeatures, outFeatures), layer: "Linear(\(inFeatures), \(outFeatures))")
        let (first, second) = factorizedLayers(rank: rank)
        return Sequential([("0", first), ("1", second)])
    }

    /// The two layers of a rank-`r` factorisation, their weights still to be set.
    func factorizedLayers(rank r: Int) -> (first: Linear, second: Linear) {
        var generator = SeededRandom(seed: 0)  // initial values are overwritten; keep GlobalRandom untouched
        return (Linear(inFeatures, r, bias: false, generator: &generator), Linear(r, outFeatures, bias: bias != nil, generator: &generator))
    }
}

extension Conv2d: Factorizable {
    /// Factorises the kernel (see `ConvFactorization`); the first layer keeps this layer's
    /// stride, padding and dilation along the axes it spans, the second gets the bias.
    /// Grouped convolutions are refused.
    public func lowRank(_ selection: RankSelection, form: ConvFactorization = .filterBasis) throws -> LowRankFactorization {
        let description = "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))"
        guard groups == 1 else {
            throw DecompositionError.unsupportedLayer(description, reason: "grouped convolutions (groups = \(groups)) are not factorised")
        }
        let (cOut, cIn, kh, kw) = (outChannels, inChannels, kernelSize.height, kernelSize.width)
        let first: Conv2d, second: Conv2d, factors: SplitFactors
        switch form {
        case .filterBasis:
            factors = try SplitFactors(weight.scalars, rows: cOut, columns: cIn * kh * kw, selection, layer: description)
            (first, second) = factorizedLayers(rank: factors.rank, form: form)
            first.weight = Tensor(shape: first.weight.shape, scalars: factors.right, requiresGrad: true)
            second.weight = Tensor(shape: second.weight.shape, scalars: factors.left, requiresGrad: true)
        case .spatialSeparable:
            // M[(c, i), (o, j)] = W[o, c, i, j]; the vertical filter r is column r of the left
            // factor, the horizontal filter (o, r) is row r of the right factor at (o, ·).
            var matrix = [Float](repeating: 0, count: weight.count)
            for o in 0..<cOut { for c in 0..<cIn { for i in 0..<kh { for j in 0..<kw {
                matrix[(c * kh + i) * (cOut * kw) + o * kw + j] = weight.scalars[((o * cIn + c) * kh + i) * kw + j]
            } } } }
            factors = try SplitFactors(matrix, rows: cIn * kh, columns: cOut * kw, selection, layer: description)
            let r = factors.rank
            (first, second) = factorizedLayers(rank: r, form: form)
            var vertical = [Float](repeating: 0, count: r * cIn * kh)  // [r, C_in, kh, 1]
            for l in 0..<r { for row in 0..<(cIn * kh) { vertical[l * cIn * kh + row] = factors.left[row * r + l] } }
            var horizontal = [Float](repeating: 0, count: cOut * r * kw)  // [C_out, r, 1, kw]
            for o in 0..<cOut { for l in 0..<r { for j in 0..<kw {
                horizontal[(o * r + l) * kw + j] = factors.right[l * cOut * kw + o * kw + j]
            } } }
            first.weight = Tensor(shape: first.weight.shape, scalars: vertical, requiresGrad: true)
            second.weight = Tensor(shape: second.weight.shape, scalars: horizontal, requiresGrad: true)
        }
        second.bias = bias.map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
        return factors.result(Sequential([("0", first), ("1", second)]))
    }

    /// A k×1 first factor of a k×k kernel was saved by the spatially separable form.
    public func factorization(shapedLike firstFactor: [Int]) throws -> Module {
        let separable = firstFactor.count == 4 && firstFactor[3] == 1 && kernelSize.width > 1
        let (kh, kw) = (kernelSize.height, kernelSize.width)
        let maximum = separable ? min(inChannels * kh, outChannels * kw) : min(outChannels, inChannels * kh * kw)
        let rank = try savedRank(firstFactor, maximum: maximum, layer: "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))")
        let (first, second) = factorizedLayers(rank: rank, form: separable ? .spatialSeparable : .filterBasis)
        return Sequential([("0", first), ("1", second)])
    }

    /// The two layers of a rank-`r` factorisation in `form`, their weights still to be set.
    func factorizedLayers(rank r: Int, form: ConvFactorization) -> (first: Conv2d, second: Conv2d) {
        var generator = SeededRandom(seed: 0)  // initial values are overwritten; keep GlobalRandom untouched
        switch form {
        case .filterBasis:
            return (Conv2d(inChannels, r, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                           bias: false, generator: &generator),
                    Conv2d(r, outChannels, kernelSize: 1, bias: bias != nil, generator: &generator))
        case .spatialSeparable:
            return (Conv2d(inChannels, r, kernelSize: Size2D(kernelSize.height, 1), stride: Size2D(stride.height, 1),
                           padding: Size2D(padding.height, 0), dilation: Size2D(dilation.height, 1), bias: false, generator: &generator),
                    Conv2d(r, outChannels, kernelSize: Size2D(1, kernelSize.width), stride: Size2D(1, stride.width),
                           padding: Size2D(0, padding.width), dilation: Size2D(1, dilation.width), bias: bias != nil, generator: &generator))
        }
    }
}

/// The rank of a saved first factor of shape [r, …], checked against the layer.
private func savedRank(_ firstFactor: [Int], maximum: Int, layer: String) throws -> Int {
    guard let rank = firstFactor.first, firstFactor.count >= 2, rank >= 1, rank <= maximum else {
        throw DecompositionError.invalidRank(firstFactor.first ?? 0, layer: "\(layer), saved first factor \(firstFactor)", maximum: maximum)
    }
    return rank
}

/// Replaces the `Factorizable` layer at `layer` (a dotted path such as `"fc1"` or
/// `"layer1.0.conv1"`) in `model` by its low-rank factorisation, and returns what was kept.
/// The layer must sit in a replaceable slot (a `Sequential` entry or a `@Child` property).
/// The model's parameters change, so build the optimizer for fine-tuning afterwards.
@discardableResult
public func decompose(_ model: Module, layer: String, _ selection: RankSelection,
                      convForm: ConvFactorization = .filterBasis) throws -> LowRankFactorization {
    guard let target = model.submodule(at: layer), !layer.isEmpty else {
        throw DecompositionError.unknownLayer(layer, decomposable: decomposableLayers(of: model))
    }
    guard let factorizable = target as? Factorizable else {
        throw DecompositionError.unsupportedLayer(layer, reason: "it is a \(type(of: target)), which does not adopt Factorizable (Linear and Conv2d do)")
    }
    let factorization: LowRankFactorization
    do {
        factorization = try factorizable.lowRank(selection, form: convForm)
    } catch let DecompositionError.invalidRank(rank, description, maximum) {
        throw DecompositionError.invalidRank(rank, layer: "\(layer) (\(description))", maximum: maximum)
    }
    try model.replaceSubmodule(at: layer, with: factorization.module)
    return factorization
}

/// Dotted paths of every `Factorizable` layer in `model`, in tree order.
public func decomposableLayers(of model: Module) -> [String] {
    model.namedModules.filter { $0.module is Factorizable }.map(\.path)
}

/// The balanced factors of a truncated SVD, M ≈ left · right, in Float:
/// left = U_r Σ_r^½ (rows × r), right = Σ_r^½ V_rᵀ (r × columns), both row-major.
private struct SplitFactors {
    let rank: Int
    let maximumRank: Int
    let energyKept: Double
    let left: [Float]
    let right: [Float]

    init(_ matrix: [Float], rows: Int, columns: Int, _ selection: RankSelection, layer: String) throws {
        let svd = try SingularValueDecomposition(matrix.map(Double.init), rows: rows, columns: columns)
        let k = svd.count
        switch selection {
        case let .rank(r):
            guard r >= 1, r <= k else { throw DecompositionError.invalidRank(r, layer: layer, maximum: k) }
            rank = r
        case let .energy(fraction):
            guard fraction > 0, fraction <= 1 else { throw DecompositionError.invalidEnergy(fraction) }
            rank = svd.rank(keepingEnergy: fraction)
        }
        maximumRank = k
        energyKept = svd.energy(ofRank: rank)
        let roots = svd.singularValues.prefix(rank).map { $0.squareRoot() }
        let r = rank
        left = (0..<(rows * r)).map { index in Float(svd.u[(index / r) * k + index % r] * roots[index % r]) }
        right = (0..<(r * columns)).map { index in Float(roots[index / columns] * svd.vTransposed[index]) }
    }

    func result(_ module: Sequential) -> LowRankFactorization {
        LowRankFactorization(module: module, rank: rank, maximumRank: maximumRank, energyKept: energyKept)
    }
}
