/// Whether operations record themselves for backpropagation.
///
/// Evaluation and optimizer updates run without recording: it saves the memory the graph
/// would hold and the time to build it.
///
/// The mode belongs to the calling thread or task, as `torch.no_grad()` belongs to a
/// thread in PyTorch: an evaluation under `withNoGrad` on one thread leaves recording on
/// for training on another. It is a task-local value, so child tasks inherit it; threads
/// started from `body` (the kernels' workers) do not see it, and need not: only the thread
/// that builds a tensor op reads it.
public enum GradMode {
    /// Whether an operation run now records itself on the calling thread or task; false
    /// inside `withNoGrad`.
    public static var isEnabled: Bool { recording }

    @TaskLocal private static var recording = true

    /// Runs `body` with recording switched off on the calling thread or task, then restores
    /// the previous mode.
    public static func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
        try $recording.withValue(false, operation: body)
    }
}

/// Runs `body` without recording operations for autograd (PyTorch's `torch.no_grad()`).
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withNoGrad(body)
}
