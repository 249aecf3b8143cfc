#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed tensor memory in the process heap instead of handing it back to the kernel.
///
/// A training step allocates and frees the same large activation and gradient buffers every
/// time. glibc serves blocks above its mmap threshold with fresh `mmap`s and returns them
/// on `free`, and trims the top of the heap when enough of it is free; either way the next
/// step touches new pages, and each first touch is a page fault plus the kernel zeroing the
/// page. Raising both thresholds (the mmap one to its 32 MiB maximum) lets those buffers
/// be reused: cifar-vgg trains about 5 % faster (`swiftlet bench --only train`, docs/performance.md).
/// The cost is that a process's peak heap is kept until it exits, as PyTorch's
/// caching allocator does on GPUs.
enum HeapTuning {
    /// Applied once, when the first tensor is created.
    static let applied: Void = {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not import.
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, Int32.max)
        #endif
    }()
}
