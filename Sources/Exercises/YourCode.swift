import ScalarAutograd
import Swiftlet

/// Your answers to the exercises: replace each `throw` by your code, then switch the
/// exercise on (`SWIFTLET_EXERCISES=pow swift test --filter YourExerciseTests`).
public enum YourCode: AutogradExercises {
    public static func pow(_ x: Tensor, _ exponent: Float) throws -> Tensor {
        throw NotWrittenYet("pow", hint: "Tensor.custom with forward xᵏ; backward g·k·xᵏ⁻¹")
    }

    public static func sin(_ x: Tensor) throws -> Tensor {
        throw NotWrittenYet("sin", hint: "the backward multiplies g by cos x")
    }

    public static func leakyReLU(_ x: Tensor, negativeSlope: Float) throws -> Tensor {
        throw NotWrittenYet("leaky-relu", hint: "the derivative is 1 or negativeSlope, by the sign of x")
    }

    public static func logSoftmax(_ x: Tensor) throws -> Tensor {
        throw NotWrittenYet("log-softmax", hint: "subtract each row's maximum first; ∂x_j = g_j − softmax_j·Σ_k g_k (chapter 4)")
    }

    public static func avgPool2d(_ x: Tensor, window: Int) throws -> Tensor {
        throw NotWrittenYet("avg-pool", hint: "each input pixel is in one window and weighs 1/window² in its mean")
    }

    public static func l2Normalize(_ x: Tensor) throws -> Tensor {
        throw NotWrittenYet("l2-norm", hint: "∂y_i/∂x_j = (δ_ij − y_i·y_j)/‖x‖, so ∂x = (g − y·Σ g·y)/‖x‖")
    }

    public static func logisticLoss(scores: [Value], labels: [Double]) throws -> Value {
        throw NotWrittenYet("scalar-mlp", hint: "build it from Value's *, exp, log and + : the engine differentiates it")
    }
}
