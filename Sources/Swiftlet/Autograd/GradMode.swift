/// Whether operations record themselves for backpropagation.
///
/// Evaluation and optimizer updates run without recording: it saves the memory the graph
/// would hold and the time to build it.
public enum GradMode {
    /// Whether an operation run now records itself; false inside `withNoGrad`.
    nonisolated(unsafe) public private(set) static var isEnabled = true

    /// Runs `body` with recording switched off, then restores the previous mode.
    public static func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
        let previous = isEnabled
        isEnabled = false
        defer { isEnabled = previous }
        return try body()
    }
}

/// Runs `body` without recording operations for autograd (PyTorch's `torch.no_grad()`).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withNoGrad(body)
}
