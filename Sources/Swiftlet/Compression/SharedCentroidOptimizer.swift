/// Fine-tunes a model with shared weights (Han et al. 2016, §3.1): the centroids are
/// trained instead of the weights. After backward, each centroid's gradient is the sum of
/// its cluster's weight gradients; `inner` (SGD, Adam, …) updates centroids and the
/// unshared parameters (biases); then every shared weight is set to its centroid again.
/// Pruned weights belong to no cluster, so they stay exactly zero without `setMask`.
/// Learning-rate changes made on this optimizer are passed to `inner` at every step.
public final class SharedCentroidOptimizer: Optimizer {
    private let inner: Optimizer
    private let shared: [(weight: Tensor, sharing: SharedWeights)]

    /// - Parameters:
    ///   - parameters: all of the model's parameters.
    ///   - sharing: the shared weight tensors (each one of `parameters`) and their clusters.
    ///   - makeInner: builds the update rule over the centroids and the unshared parameters.
    public init(parameters: [Tensor], sharing: [(weight: Tensor, sharing: SharedWeights)],
                inner makeInner: ([Tensor]) -> Optimizer) throws {
        for (weight, clusters) in sharing {
            guard parameters.contains(where: { $0 === weight }) else {
                throw OptimizerError.notAParameter(op: "SharedCentroidOptimizer", shape: weight.shape)
            }
            guard clusters.assignments.count == weight.count else {
                throw OptimizerError.assignmentCountMismatch(assignments: clusters.assignments.count, shape: weight.shape)
            }
        }
        let unshared = parameters.filter { parameter in !sharing.contains { $0.weight === parameter } }
        inner = makeInner(sharing.map(\.sharing.centroids) + unshared)
        shared = sharing
        super.init(parameters: parameters, learningRate: inner.learningRate)
        for (weight, clusters) in sharing { weight.scalars = clusters.values }
    }

    public override func step() {
        inner.learningRate = learningRate
        for (weight, clusters) in shared {
            clusters.centroids.grad = weight.grad.map {
                Tensor(shape: clusters.centroids.shape, scalars: clusters.centroidGradient(weightGradient: $0.scalars))
            }
        }
        inner.step()
        for (weight, clusters) in shared { weight.scalars = clusters.values }
    }
}
