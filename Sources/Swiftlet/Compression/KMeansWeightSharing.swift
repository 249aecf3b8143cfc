/// One tensor's weights shared among k centroids (Han et al. 2016, §3): each surviving
/// weight holds the index of its cluster, and its value is that cluster's centroid. Pruned
/// weights (exact zeros) belong to no cluster and stay zero, so sharing keeps the masks.
///
/// `centroids` is a trainable tensor: `SharedCentroidOptimizer` fine-tunes it with the
/// summed gradients of each cluster's weights.
public final class SharedWeights {
    /// Cluster value of each assignment index, shape [k].
    public let centroids: Tensor
    /// Per element of the tensor: its cluster, or -1 where the weight is pruned.
    public let assignments: [Int]

    /// Clusters the non-zero `values` with 1-D k-means (Lloyd's algorithm) from a linear
    /// initialisation — centroids evenly spaced over [min, max] of the values — which Han et
    /// al. found best: it keeps centroids for the rare large weights that matter most.
    ///
    /// - Parameters:
    ///   - values: the weights to cluster; zeros (pruned weights) stay zero and get no cluster.
    ///   - clusters: k, at least 1.
    ///   - iterations: the most Lloyd steps; it stops early once no assignment changes.
    public init(clustering values: [Float], clusters: Int, iterations: Int = 100) throws {
        guard clusters >= 1 else {
            throw CompressedModelError.unsupported("weight sharing needs at least 1 cluster, got \(clusters)")
        }
        let survivors = values.filter { $0 != 0 }
        var centers = [Float](repeating: 0, count: clusters)
        if let low = survivors.min(), let high = survivors.max() {
            let step = clusters > 1 ? (high - low) / Float(clusters - 1) : 0
            centers = (0..<clusters).map { low + Float($0) * step }
        }
        var assignment = values.map { $0 == 0 ? -1 : Self.nearest($0, in: centers) }
        for _ in 0..<iterations {
            var sums = [Double](repeating: 0, count: clusters), counts = [Int](repeating: 0, count: clusters)
            for (value, cluster) in zip(values, assignment) where cluster >= 0 {
                sums[cluster] += Double(value)
                counts[cluster] += 1
            }
            // An empty cluster keeps its centre; centres stay sorted, as 1-D means of ordered cells do.
            for c in 0..<clusters where counts[c] > 0 { centers[c] = Float(sums[c] / Double(counts[c])) }
            let next = values.map { $0 == 0 ? -1 : Self.nearest($0, in: centers) }
            if next == assignment { break }
            assignment = next
        }
        centroids = Tensor(shape: [clusters], scalars: centers, requiresGrad: true)
        assignments = assignment
    }

    /// Sharing as decoded from storage; throws if an assignment names no centroid.
    public init(centroids: [Float], assignments: [Int]) throws {
        if let bad = assignments.first(where: { $0 < -1 || $0 >= centroids.count }) {
            throw CompressedModelError.corrupt("cluster index \(bad) but only \(centroids.count) centroids")
        }
        self.centroids = Tensor(shape: [centroids.count], scalars: centroids, requiresGrad: true)
        self.assignments = assignments
    }

    /// The shared weights: each element's centroid, 0 where pruned.
    public var values: [Float] {
        let centers = centroids.scalars
        return assignments.map { $0 < 0 ? 0 : centers[$0] }
    }

    /// ∂L/∂c_k = Σ over the weights of cluster k of ∂L/∂w (Han et al. 2016, eq. 3).
    public func centroidGradient(weightGradient: [Float]) -> [Float] {
        var sums = [Float](repeating: 0, count: centroids.count)
        for (gradient, cluster) in zip(weightGradient, assignments) where cluster >= 0 { sums[cluster] += gradient }
        return sums
    }

    /// Index of the centre closest to `value` among sorted `centers` (ties to the lower).
    private static func nearest(_ value: Float, in centers: [Float]) -> Int {
        var low = 0, high = centers.count - 1
        while low < high {  // first centre whose midpoint with its right neighbour lies at or above value
            let mid = (low + high) / 2
            if value <= (centers[mid] + centers[mid + 1]) / 2 { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
