import SwiftletKernels

/// The inference form of a pruned `Linear`: y = x·Wᵀ + b computed from a CSR copy of W,
/// so the work is proportional to the non-zero weights.
///
/// It keeps the dense `weight` and `bias` as its parameters, so state dicts, checkpoints and
/// `ModelFootprint` see the same names and values as the Linear it replaced. It is a
/// snapshot: the CSR is built once, from the weight at conversion, so train the dense model
/// and convert it again rather than changing this layer's weight. It records no graph and
/// refuses an input that needs gradients.
public final class SparseLinear: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let matrix: CSRMatrix

    /// A sparse copy of `linear`'s current weights.
    public init(_ linear: Linear) {
        weight = linear.weight.detached()
        bias = linear.bias?.detached()
        matrix = CSRMatrix(dense: weight.scalars, rows: linear.outFeatures, columns: linear.inFeatures)
    }

    public var inFeatures: Int { matrix.columns }
    public var outFeatures: Int { matrix.rows }
    /// Fraction (0…1) of the weight that is zero.
    public var sparsity: Double { 1 - Double(matrix.nonzeroCount) / Double(max(weight.count, 1)) }

    public override func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank == 2, input.shape[1] == inFeatures else {
            throw TensorError.invalidArgument(op: "SparseLinear(\(inFeatures), \(outFeatures))",
                                              "expects input [batch, \(inFeatures)], got shape \(input.shape)")
        }
        guard !(GradMode.isEnabled && input.requiresGrad) else {
            throw TensorError.invalidArgument(op: "SparseLinear", "is inference-only, but its input needs gradients; train the model with dense Linear layers and convert afterwards")
        }
        let batch = input.shape[0]
        let output = [Float].filled(count: batch * outFeatures) { y in
            input.scalars.withUnsafeBufferPointer { x in
                if let bias {
                    bias.scalars.withUnsafeBufferPointer { b in
                        matrix.linear(input: x.baseAddress!, batch: batch, bias: b.baseAddress, output: y)
                    }
                } else {
                    matrix.linear(input: x.baseAddress!, batch: batch, bias: nil, output: y)
                }
            }
        }
        return Tensor(shape: [batch, outFeatures], scalars: output)
    }

    public override var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

extension SparseLinear: CountsMACs {
    func macs(outputShape: [Int]) -> (dense: Int, nonzero: Int) {
        (weight.count, matrix.nonzeroCount)
    }
}

/// Replaces every `Linear` of `model` (nested `Sequential`s included) whose weight is at
/// least `minimumSparsity` (0…1) zeros by a `SparseLinear`, for inference. Returns the
/// dotted names of the layers replaced.
///
/// Below roughly 50–70 % sparsity a dense GEMM beats CSR, hence the threshold.
@discardableResult
public func convertToSparse(_ model: Sequential, minimumSparsity: Double = 0.7) throws -> [String] {
    var converted: [String] = []
    for (name, module) in model.layers {
        switch module {
        case let nested as Sequential:
            converted += try convertToSparse(nested, minimumSparsity: minimumSparsity).map { "\(name).\($0)" }
        case let linear as Linear:
            let zeros = linear.weight.count - linear.weight.scalars.nonzeroCount
            guard Double(zeros) >= minimumSparsity * Double(linear.weight.count) else { continue }
            try model.replaceLayer(named: name, with: SparseLinear(linear))
            converted.append(name)
        default:
            continue
        }
    }
    return converted
}
