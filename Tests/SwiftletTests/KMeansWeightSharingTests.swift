import XCTest
import SwiftletKernels
@testable import Swiftlet

/// k-means weight sharing and centroid fine-tuning: pruned weights stay pruned, values are
/// centroids, and a centroid's gradient is its cluster's summed gradient.
final class KMeansWeightSharingTests: XCTestCase {
    func testClustersFindSeparatedGroupsAndKeepTheMask() throws {
        let values: [Float] = [0, -1.1, 0, -0.9, 0.2, 0, 0.25, 0.15, 2.0, 2.2, 0]
        let sharing = try SharedWeights(clustering: values, clusters: 3)
        XCTAssertEqual(sharing.assignments.indices.filter { sharing.assignments[$0] < 0 }, [0, 2, 5, 10])
        XCTAssertEqual(sharing.assignments.filter { $0 >= 0 }, [0, 0, 1, 1, 1, 2, 2])
        XCTAssertEqual(sharing.centroids.scalars[0], -1.0, accuracy: 1e-6)
        XCTAssertEqual(sharing.centroids.scalars[1], 0.2, accuracy: 1e-6)
        XCTAssertEqual(sharing.centroids.scalars[2], 2.1, accuracy: 1e-6)
        let shared = sharing.values
        for i in values.indices where values[i] == 0 { XCTAssertEqual(shared[i], 0) }
    }

    func testLinearInitialisationSpansTheRangeAndEveryWeightTakesTheNearestCentroid() throws {
        var generator = SeededRandom(seed: 61)
        let values = (0..<500).map { i -> Float in i % 3 == 0 ? 0 : Float.random(in: -1...1, using: &generator) }
        let sharing = try SharedWeights(clustering: values, clusters: 16)
        let centroids = sharing.centroids.scalars
        XCTAssertEqual(centroids, centroids.sorted())
        for (value, cluster) in zip(values, sharing.assignments) where value != 0 {
            let distances = centroids.map { abs($0 - value) }
            XCTAssertEqual(distances[cluster], distances.min()!, accuracy: 1e-6)
        }
        XCTAssertThrowsError(try SharedWeights(clustering: values, clusters: 0))
        XCTAssertThrowsError(try SharedWeights(centroids: [1, 2], assignments: [0, 2]))
    }

    func testCentroidGradientIsTheSumOverItsCluster() throws {
        let sharing = try SharedWeights(centroids: [-1, 1], assignments: [0, -1, 1, 0, 1])
        XCTAssertEqual(sharing.centroidGradient(weightGradient: [1, 100, 2, 3, 4]), [4, 6])
    }

    func testFineTuningMovesCentroidsAndKeepsPrunedWeightsAtZero() throws {
        GlobalRandom.seed(41)
        let model = Sequential { ("fc1", Linear(12, 10)); ReLU(); ("fc2", Linear(10, 3)) }
        _ = try prune(model, by: .magnitude, .uniform(0.6))
        let weights = model.namedParameters.filter { isPrunableWeight(name: $0.name, tensor: $0.tensor) }
        let sharing = try weights.map { ($0.tensor, try SharedWeights(clustering: $0.tensor.scalars, clusters: 4)) }
        let pruned = weights.map { weight in weight.tensor.scalars.indices.filter { weight.tensor.scalars[$0] == 0 } }
        let before = sharing.map(\.1.centroids.scalars)
        let optimizer = try SharedCentroidOptimizer(parameters: model.parameters, sharing: sharing,
                                                    inner: { SGD($0, lr: 0.05, momentum: 0.9) })
        let x = Tensor.normal([16, 12]), labels = (0..<16).map { $0 % 3 }
        for _ in 0..<20 {
            optimizer.zeroGrad()
            try crossEntropy(model(x), labels).backward()
            optimizer.step()
        }
        for ((weight, clusters), zeros) in zip(sharing, pruned) {
            XCTAssertEqual(weight.scalars, clusters.values)
            for i in zeros { XCTAssertEqual(weight.scalars[i], 0) }
            XCTAssertLessThanOrEqual(Set(weight.scalars.filter { $0 != 0 }).count, 4)
        }
        XCTAssertNotEqual(sharing.map(\.1.centroids.scalars), before)
        let stranger = Tensor.zeros([2, 2])
        assertThrows(try SharedCentroidOptimizer(parameters: model.parameters, sharing: [(stranger, sharing[0].1)], inner: { SGD($0, lr: 0.1) }),
                     OptimizerError.notAParameter(op: "SharedCentroidOptimizer", shape: [2, 2]))
        assertThrows(try SharedCentroidOptimizer(parameters: model.parameters, sharing: [(sharing[1].0, sharing[0].1)], inner: { SGD($0, lr: 0.1) }),
                     OptimizerError.assignmentCountMismatch(assignments: sharing[0].1.assignments.count, shape: sharing[1].0.shape))
    }
}
