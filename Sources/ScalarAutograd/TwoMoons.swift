import Foundation
import SwiftletKernels

/// Two interleaving half circles of points in the plane, labelled +1 and −1 (scikit-learn's
/// `make_moons`): no straight line separates them, so a classifier has to bend.
public struct TwoMoons {
    /// (x, y) of each point.
    public let points: [[Double]]
    /// +1 for the upper moon, −1 for the lower one.
    public let labels: [Double]

    /// `count` points, half on each moon, each moved by Gaussian noise of standard deviation `noise`.
    public init(count: Int, noise: Double, seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        var points: [[Double]] = [], labels: [Double] = []
        for i in 0..<count {
            let upper = i < count / 2
            let angle = Double(generator.nextUniform(0, Float.pi))
            let x = upper ? cos(angle) : 1 - cos(angle)
            let y = upper ? sin(angle) : 0.5 - sin(angle)
            points.append([x + noise * Double(generator.nextNormal()), y + noise * Double(generator.nextNormal())])
            labels.append(upper ? 1 : -1)
        }
        self.points = points
        self.labels = labels
    }
}
