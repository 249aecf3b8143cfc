/// What one recorded operation computes: its kind and the attributes that fix it. A traced
/// `ModelGraph` is a list of these; autograd names its nodes after them.
///
/// Operands come in a fixed order: `conv2d` and `linear` take (input, weight, bias?),
/// `batchNorm` (input, γ, β, running mean, running variance), the binary operators
/// (left, right), `concat` its parts, every other op one input.
public enum GraphOp: Equatable, Sendable {
    /// 2-D convolution of [N, C, H, W] by a [out, C/groups, kH, kW] weight.
    case conv2d(stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int)
    /// x·Wᵀ + b for x [N, in], W [out, in].
    case linear
    /// Matrix product of two tensors without a weight operand.
    case matmul
    /// Elementwise arithmetic, broadcasting as the Tensor operators do.
    case add, sub, mul, div
    /// scale·x + shift.
    case affine(scale: Float, shift: Float)
    /// Elementwise functions of one input.
    case relu, sigmoid, tanh, exp, log
    /// Max pooling over kernelSize windows of [N, C, H, W].
    case maxPool2d(kernelSize: Size2D, stride: Size2D, padding: Size2D)
    /// Average pooling; `countIncludePad` divides by the full window, padding included.
    case avgPool2d(kernelSize: Size2D, stride: Size2D, padding: Size2D, countIncludePad: Bool)
    /// [N, C, H, W] → [N, C, 1, 1].
    case globalAvgPool2d
    /// Normalisation with the running statistics (a trace runs in evaluation mode).
    case batchNorm(epsilon: Float)
    /// The same elements in `shape` (the traced batch size included).
    case reshape(shape: [Int])
    /// The input's axes reordered: output axis i is input axis `axes[i]`.
    case permute(axes: [Int])
    /// The parts joined along `axis`.
    case concat(axis: Int)
    /// Constant padding, (before, after) per dimension.
    case pad(before: [Int], after: [Int], value: Float)
    /// Indices `start..<end` along `axis`.
    case slice(axis: Int, start: Int, end: Int)
    /// Sum over `axes`; `keepingDimensions` leaves them as size 1.
    case sum(axes: [Int], keepingDimensions: Bool)
    /// Mean over `axes`; `keepingDimensions` leaves them as size 1.
    case mean(axes: [Int], keepingDimensions: Bool)
    /// Softmax along `axis`.
    case softmax(axis: Int)
    /// Log-softmax along `axis` (what cross-entropy is built on).
    case logSoftmax(axis: Int)
    /// Anything else (a loss, dropout in training, a fake quantizer, a module computed outside
    /// Swiftlet's ops): kept by name so that a pass that cannot handle it says so.
    case other(String)

    /// Whether the op multiplies by a weight operand (its operand 1): conv2d and linear.
    public var isWeighted: Bool {
        switch self {
        case .conv2d, .linear: return true
        default: return false
        }
    }

    /// The short name autograd and error messages use ("conv2d", "add", …).
    public var name: String {
        switch self {
        case .conv2d: return "conv2d"
        case .linear: return "linear"
        case .matmul: return "matmul"
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .affine: return "affine"
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .exp: return "exp"
        case .log: return "log"
        case .maxPool2d: return "maxPool2d"
        case .avgPool2d: return "avgPool2d"
        case .globalAvgPool2d: return "globalAvgPool2d"
        case .batchNorm: return "batchNorm"
        case .reshape: return "reshape"
        case .permute: return "permute"
        case .concat: return "concat"
        case .pad: return "pad"
        case .slice: return "slice"
        case .sum: return "sum"
        case .mean: return "mean"
        case .softmax: return "softmax"
        case .logSoftmax: return "logSoftmax"
        case let .other(name): return name
        }
    }
}
