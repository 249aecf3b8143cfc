// Swift exposes neither prefetch nor the spin-wait hint, but a function declared under an
// `llvm.` name compiles to that LLVM intrinsic itself: one instruction, no call.

@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(
    _ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

/// Asks the CPU to start bringing the cache line holding `address` into L1 ahead of a
/// write to it (`prefetchw`). Never faults, whatever the address.
@inline(__always)
func prefetchForWriting(_ address: UnsafeRawPointer) {
    llvmPrefetch(address, 1, 3, 1)
}

#if arch(x86_64)
@_silgen_name("llvm.x86.sse2.pause")
private func llvmPause()
#endif

/// Tells the CPU that this thread is spinning (`pause` on x86), which saves power and
/// frees resources for the other hardware thread of the core.
@inline(__always)
func spinWaitHint() {
    #if arch(x86_64)
    llvmPause()
    #endif
}
