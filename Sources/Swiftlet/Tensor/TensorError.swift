/// Errors a user can cause through the tensor API: shapes that do not fit, bad arguments.
/// Each message says what was received and what was expected.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case invalidShape([Int], String)
    case shapeMismatch(op: String, [Int], [Int], String)
    case invalidArgument(op: String, String)
    case notAScalar([Int])
    case backwardNeedsSeed(shape: [Int])
    case noGradientRecorded
    /// Input `input` of `op` was changed in place between the forward pass and `backward()`.
    case modifiedAfterSaved(op: String, input: Int, shape: [Int], savedVersion: Int, version: Int)

    public var description: String {
        switch self {
        case let .invalidShape(shape, why):
            return "invalid shape \(shape): \(why)"
        case let .shapeMismatch(op, a, b, why):
            return "\(op): shapes \(a) and \(b) do not fit: \(why)"
        case let .invalidArgument(op, why):
            return "\(op): \(why)"
        case let .notAScalar(shape):
            return "expected a one-element tensor, got shape \(shape)"
        case let .backwardNeedsSeed(shape):
            return "backward() on a tensor of shape \(shape) needs a seed gradient of that shape; only scalars (e.g. a loss) can start backward on their own"
        case .noGradientRecorded:
            return "backward() on a tensor that does not require grad: no operation leading to it was recorded (was it computed under withNoGrad, or from tensors without requiresGrad?)"
        case let .modifiedAfterSaved(op, input, shape, savedVersion, version):
            return "backward(): input \(input) of \(op) (shape \(shape)) was modified in place after \(op) saved it for the backward pass "
                + "(version \(version), saved at version \(savedVersion)), so its gradient would be computed from the wrong values; "
                + "change tensors after backward() (as an optimizer step does), or pass \(op) a copy (detached())"
        }
    }
}
