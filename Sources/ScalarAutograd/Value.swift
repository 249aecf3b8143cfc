import Foundation

// ANCHOR: value
/// One number of a computation that remembers how it was made, so that `backward()` can
/// send derivatives back to every number it came from: reverse-mode automatic
/// differentiation on scalars, in the shape of Karpathy's micrograd.
public final class Value {
    /// The number itself.
    public var data: Double
    /// ∂root/∂self once `root.backward()` has run. Shares add up, so reset it to 0
    /// before the next backward pass (a training loop does this for the parameters).
    public var grad: Double = 0
    /// The operation that made this value ("+", "*", "relu", …); "" for an input.
    public let op: String
    /// The values this one was computed from.
    public let inputs: [Value]
    /// Adds this value's share of the gradient into `inputs`' `grad`: the chain rule for one op.
    private let propagate: (_ output: Value) -> Void

    init(_ data: Double, op: String, inputs: [Value], propagate: @escaping (_ output: Value) -> Void) {
        self.data = data
        self.op = op
        self.inputs = inputs
        self.propagate = propagate
    }

    /// An input: a number that depends on nothing.
    public convenience init(_ data: Double) {
        self.init(data, op: "", inputs: []) { _ in }
    }
}
// ANCHOR_END: value

extension Value: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public convenience init(floatLiteral value: Double) { self.init(value) }
    public convenience init(integerLiteral value: Int) { self.init(Double(value)) }
}

// ANCHOR: operations
// Each operation computes its result and says how the result's gradient reaches its inputs:
// for y = f(a, b), a receives ∂y/∂a · ∂L/∂y (`output.grad` is ∂L/∂y).
extension Value {
    public static func + (a: Value, b: Value) -> Value {
        Value(a.data + b.data, op: "+", inputs: [a, b]) { output in
            a.grad += output.grad
            b.grad += output.grad
        }
    }

    public static func * (a: Value, b: Value) -> Value {
        Value(a.data * b.data, op: "*", inputs: [a, b]) { output in
            a.grad += b.data * output.grad
            b.grad += a.data * output.grad
        }
    }

    /// self to a constant power k: d(xᵏ)/dx = k·xᵏ⁻¹.
    public func pow(_ k: Double) -> Value {
        Value(Foundation.pow(data, k), op: "^\(k)", inputs: [self]) { output in
            self.grad += k * Foundation.pow(self.data, k - 1) * output.grad
        }
    }

    public func relu() -> Value {
        Value(max(data, 0), op: "relu", inputs: [self]) { output in
            self.grad += (output.data > 0 ? 1 : 0) * output.grad
        }
    }

    /// d(eˣ)/dx = eˣ, the output itself.
    public func exp() -> Value {
        Value(Foundation.exp(data), op: "exp", inputs: [self]) { output in
            self.grad += output.data * output.grad
        }
    }

    public func log() -> Value {
        Value(Foundation.log(data), op: "log", inputs: [self]) { output in
            self.grad += output.grad / self.data
        }
    }

    /// d(tanh x)/dx = 1 − tanh²x, again from the output.
    public func tanh() -> Value {
        Value(Foundation.tanh(data), op: "tanh", inputs: [self]) { output in
            self.grad += (1 - output.data * output.data) * output.grad
        }
    }

    // Built from the operations above, so they need no derivative of their own.
    public static prefix func - (a: Value) -> Value { a * -1 }
    public static func - (a: Value, b: Value) -> Value { a + (-b) }
    public static func / (a: Value, b: Value) -> Value { a * b.pow(-1) }
}
// ANCHOR_END: operations

// ANCHOR: backward
extension Value {
    /// Computes ∂self/∂v into `v.grad` for every value v that self depends on: seed
    /// ∂self/∂self = 1, then let each value, latest first, hand its gradient to its inputs.
    /// "Latest first" guarantees that a value has received every share before it passes
    /// its gradient on.
    public func backward() {
        grad = 1
        for value in topologicalOrder().reversed() {
            value.propagate(value)
        }
    }

    /// Every value that self depends on, itself last, each one after all of its inputs.
    public func topologicalOrder() -> [Value] {
        var order: [Value] = []
        var visited = Set<ObjectIdentifier>()
        func visit(_ value: Value) {
            guard visited.insert(ObjectIdentifier(value)).inserted else { return }
            for input in value.inputs { visit(input) }
            order.append(value)
        }
        visit(self)
        return order
    }
}
// ANCHOR_END: backward
