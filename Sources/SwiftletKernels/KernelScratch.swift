import Foundation

/// Scratch memory for the convolution kernels (im2col matrices, packed operands, partial
/// weight gradients, convolution outputs on their way to pooling).
/// Scratch objects are pooled and their buffers only grow, so after the first calls the
/// kernels allocate nothing; a thread holds its object exclusively while it works (unchecked
/// `Sendable`: the pool hands each object to one thread at a time).
final class KernelScratch: @unchecked Sendable {
    private var columnsBuffer = GrowableFloatBuffer()
    private var packedABuffer = GrowableFloatBuffer()
    private var packedBBuffer = GrowableFloatBuffer()
    private var partialsBuffer = GrowableFloatBuffer()
    private var convolvedBuffer = GrowableFloatBuffer()

    /// Room for an im2col matrix (or any per-thread working matrix).
    func columns(count: Int) -> UnsafeMutablePointer<Float> { columnsBuffer.reserve(count) }
    /// Room for an operand packed as A of `PackedProduct`.
    func packedA(count: Int) -> UnsafeMutablePointer<Float> { packedABuffer.reserve(count) }
    /// Room for an operand packed as B of `PackedProduct`.
    func packedB(count: Int) -> UnsafeMutablePointer<Float> { packedBBuffer.reserve(count) }
    /// Room for per-thread partial results that are reduced afterwards.
    func partials(count: Int) -> UnsafeMutablePointer<Float> { partialsBuffer.reserve(count) }
    /// Room for a batch's convolution output that is pooled image by image into the real output.
    func convolved(count: Int) -> UnsafeMutablePointer<Float> { convolvedBuffer.reserve(count) }

    private static let pool = ScratchPool { KernelScratch() }

    /// Runs `body` with a scratch object no other thread is using.
    static func with<Result>(_ body: (KernelScratch) -> Result) -> Result { pool.with(body) }
}
