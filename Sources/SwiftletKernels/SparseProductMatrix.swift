/// The layout SparseLinear multiplies dense inputs with: AVX-512 register permutes where the
/// build machine has them (Package.swift then defines SWIFTLET_AVX512), 8-wide gathers
/// elsewhere. Both take `init(dense:rows:columns:)` and `linear(input:batch:bias:output:)`.
#if SWIFTLET_AVX512
public typealias SparseProductMatrix = BlockedEllpackMatrix
#else
public typealias SparseProductMatrix = SlicedEllpackMatrix
#endif
