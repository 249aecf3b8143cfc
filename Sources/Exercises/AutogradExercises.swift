import ScalarAutograd
import Swiftlet

/// The exercises of docs/autograd/10-exercises.md, one function each. Write your answers in
/// `YourCode` (YourCode.swift, beside this file); `Solutions` (Sources/ExerciseSolutions) is
/// one answer, kept apart. Tests/ExercisesTests holds the checks: CI runs them on the
/// solutions; yours run once you switch exercises on by name (or `all`):
///
///     SWIFTLET_EXERCISES=pow,sin swift test --filter YourExerciseTests
///
/// Each tensor exercise is an op of your own (`Tensor.custom`): compute the forward values,
/// derive the backward, and let the checks compare it with central differences.
// ANCHOR: exercises
public protocol AutogradExercises {
    /// `pow`: xᵏ element-wise for a constant k.
    static func pow(_ x: Tensor, _ exponent: Float) throws -> Tensor
    /// `sin`: sin x element-wise.
    static func sin(_ x: Tensor) throws -> Tensor
    /// `leaky-relu`: x where x > 0, else negativeSlope·x.
    static func leakyReLU(_ x: Tensor, negativeSlope: Float) throws -> Tensor
    /// `log-softmax`: log-softmax of each row of x [N, C], one op with its own backward,
    /// stable for large logits.
    static func logSoftmax(_ x: Tensor) throws -> Tensor
    /// `avg-pool`: the mean of each non-overlapping window × window square of x [N, C, H, W];
    /// throws `TensorError.unexpectedShape` unless H and W are multiples of `window`.
    static func avgPool2d(_ x: Tensor, window: Int) throws -> Tensor
    /// `l2-norm`: each row of x [N, D] divided by its Euclidean length, y = x / ‖x‖ (the op
    /// of an L2-normalisation layer).
    static func l2Normalize(_ x: Tensor) throws -> Tensor
    /// `scalar-mlp`: for the scalar engine, the logistic loss of ±1 labels, the mean over the
    /// batch of log(1 + exp(−label·score)); the check trains the two-moons MLP with it.
    static func logisticLoss(scores: [Value], labels: [Double]) throws -> Value
}
// ANCHOR_END: exercises

/// What an exercise you have not written yet throws.
public struct NotWrittenYet: Error, CustomStringConvertible {
    public let exercise: String
    public let hint: String

    public init(_ exercise: String, hint: String) {
        self.exercise = exercise
        self.hint = hint
    }

    public var description: String { "exercise \(exercise) is not written yet (Sources/Exercises/YourCode.swift). Hint: \(hint)" }
}
