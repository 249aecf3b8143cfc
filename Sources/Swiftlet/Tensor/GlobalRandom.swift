import SwiftletKernels

/// The process-wide generator used when no explicit one is given (dropout masks,
/// default initialisation), as `torch.manual_seed` seeds PyTorch's.
public enum GlobalRandom {
    /// The generator itself; `seed(_:)` restarts it.
    nonisolated(unsafe) public static var generator = SeededRandom(seed: 0)

    /// Restarts the global sequence from `seed`.
    public static func seed(_ seed: UInt64) {
        generator = SeededRandom(seed: seed)
    }
}
