/// Errors a user can cause through the tensor API: shapes that do not fit, axes, ranges
/// and settings out of range. Each message names the op, says what was received and what
/// was expected.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// A shape that cannot hold the data (negative sizes, a count that does not match); the string says why.
    case invalidShape([Int], String)
    /// `op` got operands whose shapes do not fit together (they do not broadcast, or inner sizes differ).
    case shapeMismatch(op: String, [Int], [Int], String)
    /// `op` takes inputs of the form `expected` (e.g. "[N, C, H, W]"), not `shape`.
    case unexpectedShape(op: String, [Int], expected: String)
    /// `axis` does not exist in a tensor of `shape`.
    case axisOutOfRange(op: String, axis: Int, shape: [Int])
    /// `range` does not lie within axis `axis` of `shape`.
    case sliceOutOfRange(Range<Int>, axis: Int, shape: [Int])
    /// `permute` got axes that are not each axis of `shape` exactly once.
    case notAPermutation([Int], shape: [Int])
    /// `pad` got `pairs` (before, after) pairs for a tensor of `shape`.
    case paddingCountMismatch(pairs: Int, shape: [Int])
    /// A padding amount below zero; `side` names it ("right", "dimension 1 before").
    case negativePadding(op: String, side: String, amount: Int)
    /// A pooling window that leaves no output, or pads more than half of itself.
    case poolWindowDoesNotFit(op: String, input: [Int], kernel: Size2D, stride: Size2D, padding: Size2D)
    /// A convolution whose dilated kernel does not fit the padded input even once.
    case convolutionHasNoOutput(input: [Int], kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D)
    /// The input has too few values for what `op` computes from them (`needed`).
    case tooFewValues(op: String, shape: [Int], needed: String)
    /// A setting of `op` outside the values it accepts (`accepted`, e.g. "in [0, 1)").
    case settingOutOfRange(op: String, setting: String, value: Double, accepted: String)
    /// A loss got a different number of labels than the batch has rows.
    case labelCountMismatch(op: String, labels: Int, batch: Int)
    /// A label outside 0..<classes: the model and the dataset disagree on the classes.
    case labelOutOfRange(op: String, label: Int, classes: Int)
    /// `op` (concat) needs at least one tensor.
    case noTensors(op: String)
    /// A backward function returned `gradients` gradients for an op with `inputs` inputs.
    case gradientCountMismatch(op: String, gradients: Int, inputs: Int)
    /// The few one-off checks that fit no other case; `op` and a sentence saying what was wrong.
    case invalidArgument(op: String, String)
    /// A one-element tensor was needed (`item`), not one of this shape.
    case notAScalar([Int])
    /// `backward()` on a non-scalar without the gradient to start from.
    case backwardNeedsSeed(shape: [Int])
    /// `backward()` on a tensor no recorded operation leads to (made under `withNoGrad`, or from tensors without `requiresGrad`).
    case noGradientRecorded
    /// Input `input` of `op` was changed in place between the forward pass and `backward()`.
    case modifiedAfterSaved(op: String, input: Int, shape: [Int], savedVersion: Int, version: Int)

    public var description: String {
        switch self {
        case let .invalidShape(shape, why):
            return "invalid shape \(shape): \(why)"
        case let .shapeMismatch(op, a, b, why):
            return "\(op): shapes \(a) and \(b) do not fit: \(why)"
        case let .unexpectedShape(op, shape, expected):
            return "\(op): expects \(expected), got shape \(shape)"
        case let .axisOutOfRange(op, axis, shape):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(shape.count) (shape \(shape))"
        case let .sliceOutOfRange(range, axis, shape):
            return "slice: range \(range) does not fit in 0..<\(shape[axis]), the size of axis \(axis) of shape \(shape)"
        case let .notAPermutation(axes, shape):
            return "permute: \(axes) is not a permutation of the \(shape.count) axes of shape \(shape)"
        case let .paddingCountMismatch(pairs, shape):
            return "pad: needs one (before, after) pair per dimension: got \(pairs) for shape \(shape) of rank \(shape.count)"
        case let .negativePadding(op, side, amount):
            return "\(op): padding amounts must be ≥ 0, got \(side) \(amount)"
        case let .poolWindowDoesNotFit(op, input, kernel, stride, padding):
            return "\(op): kernel \(kernel), stride \(stride), padding \(padding) do not fit input \(input) (padding must be at most half the kernel)"
        case let .convolutionHasNoOutput(input, kernel, stride, padding, dilation):
            return "conv2d: input \(input) with kernel \(kernel.height)×\(kernel.width), stride \(stride), padding \(padding), dilation \(dilation) gives no output"
        case let .tooFewValues(op, shape, needed):
            return "\(op): needs \(needed), got input of shape \(shape)"
        case let .settingOutOfRange(op, setting, value, accepted):
            return "\(op): \(setting) must be \(accepted), got \(value)"
        case let .labelCountMismatch(op, labels, batch):
            return "\(op): got \(labels) labels for a batch of \(batch)"
        case let .labelOutOfRange(op, label, classes):
            return "\(op): label \(label) is out of range for \(classes) classes (expected 0..<\(classes))"
        case let .noTensors(op):
            return "\(op): needs at least one tensor, got an empty list"
        case let .gradientCountMismatch(op, gradients, inputs):
            return "\(op) backward: returned \(gradients) gradients for \(inputs) inputs"
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
