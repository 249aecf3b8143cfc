import Foundation
import SwiftletKernels

/// An n-dimensional array of `Float`, stored contiguously in row-major order, that can
/// record the operations applied to it so gradients can flow back through them.
///
/// A tensor is either a *leaf* (created by you: data, parameters) or the *result* of an
/// operation, in which case `gradientNode` remembers the inputs and how to differentiate.
/// See docs/autograd.md for the whole story.
///
/// Not `Sendable`: a tensor changes in place without locks (gradients, optimizer steps), so it
/// belongs to the thread or task that made it (docs/concurrency.md).
public final class Tensor {
    /// The size of each dimension; `[]` for a scalar. Changes only when structured pruning
    /// or a checkpoint of a pruned model resizes a parameter in place (`resize(to:scalars:)`).
    public internal(set) var shape: [Int]
    /// The elements, row-major. Mutating them in place is how optimizers update parameters;
    /// every change counts in `version`.
    public var scalars: [Float] {
        didSet { version &+= 1 }
    }
    /// How many times `scalars` has changed since the tensor was made (PyTorch's version
    /// counter). An operation that saves a tensor for its backward pass notes the version,
    /// and `backward()` refuses to run it if the tensor has changed since: its gradient would
    /// be computed from values that were not the ones used.
    public private(set) var version = 0
    /// Whether gradients should be computed for this tensor. Settable on leaves only.
    public var requiresGrad: Bool {
        didSet {
            if gradientNode != nil { requiresGrad = true }
        }
    }
    /// ∂loss/∂self after `backward()`, accumulated across calls until `zeroGrad()`. Leaves
    /// only, unless `retainsGrad` is set.
    public var grad: Tensor?
    /// Whether `backward()` keeps this computed tensor's gradient in `grad` too, as leaves do
    /// (PyTorch's `retain_grad()`): to look at intermediate gradients, e.g. in a graph picture.
    public var retainsGrad = false
    /// How this tensor was computed; `nil` for leaves. Autograd walks these backwards.
    public internal(set) var gradientNode: GradientNode?

    /// Creates a leaf tensor; throws if `scalars.count` is not the product of `shape`.
    public convenience init(_ scalars: [Float], shape: [Int], requiresGrad: Bool = false) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidShape(shape, "dimensions must be non-negative")
        }
        guard scalars.count == shape.elementCount else {
            throw TensorError.invalidShape(shape, "holds \(shape.elementCount) elements, but \(scalars.count) scalars were given")
        }
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// Wraps `scalars` whose count the caller guarantees to be the product of `shape` (a
    /// programmer error otherwise, caught by a precondition). For data of unknown size use
    /// the throwing `init(_:shape:requiresGrad:)`.
    public init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(scalars.count == shape.elementCount, "Tensor: \(scalars.count) scalars for shape \(shape)")
        HeapTuning.applied
        self.shape = shape
        self.scalars = scalars
        self.requiresGrad = requiresGrad
    }

    /// A scalar (rank-0) tensor.
    public convenience init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [value], requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.elementCount), requiresGrad: requiresGrad)
    }

    /// A tensor of zeros (biases, BatchNorm's β and running mean).
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 0, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor of ones (BatchNorm's γ and running variance).
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(repeating: 1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Number of elements.
    public var count: Int { scalars.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Whether this tensor was created by the user rather than computed by an operation.
    public var isLeaf: Bool { gradientNode == nil }

    /// The single value of a one-element tensor.
    public var item: Float {
        get throws {
            guard count == 1 else { throw TensorError.notAScalar(shape) }
            return scalars[0]
        }
    }

    /// The same values, cut off from the graph: gradients do not flow through the result.
    public func detached() -> Tensor {
        Tensor(shape: shape, scalars: scalars)
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() {
        grad = nil
    }

    /// Gives this tensor new contents of another shape, in place, so that every module and
    /// graph holding it sees the change: how structured pruning makes a layer smaller without
    /// knowing the layer. The gradient is dropped; optimizers must be rebuilt.
    func resize(to newShape: [Int], scalars newScalars: [Float]) {
        precondition(newScalars.count == newShape.elementCount, "resize: \(newScalars.count) scalars for shape \(newShape)")
        shape = newShape
        scalars = newScalars
        grad = nil
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

extension Array where Element == Int {
    /// The number of elements a tensor of this shape holds.
    var elementCount: Int { reduce(1, *) }
}
