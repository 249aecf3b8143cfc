import Foundation
import SwiftletKernels

// Random tensors for data and initialisation. Every function draws from an explicit
// generator, or from `GlobalRandom` when none is given, so a seed fixes the numbers.

extension Tensor {
    /// Uniform samples in [low, high).
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, requiresGrad: Bool = false,
        generator: inout SeededRandom
    ) -> Tensor {
        Tensor(shape: shape, scalars: .generate(count: shape.elementCount) { _ in generator.nextUniform(low, high) },
               requiresGrad: requiresGrad)
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, requiresGrad: Bool = false,
        generator: inout SeededRandom
    ) -> Tensor {
        Tensor(shape: shape, scalars: .generate(count: shape.elementCount) { _ in mean + std * generator.nextNormal() },
               requiresGrad: requiresGrad)
    }

    /// Uniform samples in [low, high) from the global generator.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, requiresGrad: Bool = false) -> Tensor {
        uniform(shape, low: low, high: high, requiresGrad: requiresGrad, generator: &GlobalRandom.generator)
    }

    /// Normal samples from the global generator.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, requiresGrad: Bool = false) -> Tensor {
        normal(shape, mean: mean, std: std, requiresGrad: requiresGrad, generator: &GlobalRandom.generator)
    }

    /// He/Kaiming-uniform initialisation for a weight whose second and later dimensions
    /// form its fan-in, with PyTorch's leaky-ReLU gain √(2 / (1 + a²)).
    ///
    /// PyTorch's default for Linear and Conv2d is `a = √5`, which works out to
    /// U(−1/√fan_in, 1/√fan_in).
    public static func kaimingUniform(
        _ shape: [Int], a: Float = Float(5).squareRoot(), requiresGrad: Bool = true, generator: inout SeededRandom
    ) -> Tensor {
        let fanIn = shape.dropFirst().reduce(1, *)
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(max(fanIn, 1))).squareRoot()
        return uniform(shape, low: -bound, high: bound, requiresGrad: requiresGrad, generator: &generator)
    }
}
