// swift-tools-version:6.1
import Foundation
import PackageDescription

// `-target-cpu native` builds for this machine; AVX-512 intrinsics crash the compiler for a
// CPU without them, and Swift has no `#if` on CPU features, so the manifest looks at the host
// (Linux) and defines SWIFTLET_AVX512 for the kernels that use them (the sparse Linear's
// register-permute product). Elsewhere the portable kernels are built.
// The int8 kernels also need VNNI (vpdpbusd) and VBMI (vpermb): SWIFTLET_AVX512_VNNI; without
// them, AVX2 + FMA (SWIFTLET_AVX2) gets register-tiled int16 `vpmaddwd` kernels.
var hostFlags: Set<Substring> {
    #if arch(x86_64) && os(Linux)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
    return Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? [])
    #else
    return []
    #endif
}
// `SWIFTLET_TARGET_CPU=haswell swift build -c release --scratch-path .build-haswell` builds for
// another CPU than this one (`-target-cpu haswell`: the AVX2 + FMA machines, built and tested on
// an AVX-512 host). The AVX-512 defines describe the host, so any value other than `native` (the
// default) leaves them off; SWIFTLET_AVX2 is on for the AVX2 CPUs named in `avx2TargetCPUs`.
let targetCPU = ProcessInfo.processInfo.environment["SWIFTLET_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
// A named CPU from LLVM's AVX2 + FMA families gets the AVX2 int8 kernels (SWIFTLET_AVX2).
let avx2TargetCPUs: Set<String> = ["haswell", "broadwell", "skylake", "alderlake", "znver1", "znver2", "znver3"]
let targetFlags: Set<Substring> = targetCPU == "native" ? hostFlags : avx2TargetCPUs.contains(targetCPU) ? ["avx2", "fma"] : []
let hostHasAVX512 = targetFlags.contains("avx512f")
let hostHasAVX512VNNI = hostHasAVX512 && ["avx512bw", "avx512_vnni", "avx512vbmi"].allSatisfy(targetFlags.contains)
let hostHasAVX2 = ["avx2", "fma"].allSatisfy(targetFlags.contains)

// Numeric code needs AVX2/FMA code generation: without `-target-cpu`, Swift emits
// SSE only and `SIMD8<Float>.addProduct` becomes a library call per lane.
// SwiftPM refuses `unsafeFlags` in packages used as remote dependencies, so a
// project that depends on Swiftlet passes the same flag itself:
//   swift build -c release -Xswiftc -target-cpu -Xswiftc native
// (see docs/performance.md).
let fast: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU, "-enforce-exclusivity=unchecked"]),
] + (hostHasAVX512 ? [.define("SWIFTLET_AVX512")] : []) + (hostHasAVX512VNNI ? [.define("SWIFTLET_AVX512_VNNI")] : [])
    + (hostHasAVX2 ? [.define("SWIFTLET_AVX2")] : [])

let package = Package(
    name: "Swiftlet",
    // Synchronization's Atomic (the kernels' worker pool) needs macOS 15; Linux has no minimum.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Swiftlet", targets: ["Swiftlet"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "SwiftletCLI", targets: ["SwiftletCLI"]),
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .library(name: "ResNetExample", targets: ["ResNetExample"]),
        .library(name: "ScalarAutograd", targets: ["ScalarAutograd"]),
        .executable(name: "two-moons", targets: ["two-moons"]),
        .executable(name: "resnet20-tool", targets: ["resnet20-tool"]),
        .executable(name: "training-script", targets: ["training-script"]),
    ],
    // Off by default, so the default build needs nothing but the toolchain. `--traits MPI`
    // builds the MPI binding (Open MPI's headers and libmpi must be installed) and defines MPI
    // in every target, which turns on `--distributed` (docs/distributed.md).
    traits: [
        .trait(name: "MPI", description: "Data-parallel training across processes and machines over MPI (needs Open MPI)"),
    ],
    targets: [
        // Layer 1: raw compute on pointers (GEMM, convolution, pooling). No autograd.
        .target(name: "SwiftletKernels", swiftSettings: fast),
        // Files that are never half-written or mixed up: atomic writes, locked output folders
        // committed as a unit, regular files only. Plain POSIX, shared by the layers above.
        .target(name: "SwiftletFiles"),
        // Layers 2-5 and 7: tensors, autograd, modules, optimizers, compression.
        .target(name: "Swiftlet", dependencies: ["SwiftletKernels", "SwiftletFiles", .target(name: "CMPI", condition: .when(traits: ["MPI"]))],
                swiftSettings: fast),
        // The MPI C API (libmpi), only with the MPI trait; `pkg-config ompi-c` finds its headers.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["openmpi-bin", "libopenmpi-dev"])]),
        // Layer 6: dataset readers, gzip/tar, verified fetch, batching (into Swiftlet's LabeledBatch).
        .target(name: "Datasets", dependencies: ["SwiftletKernels", "Swiftlet", "SwiftletFiles"], path: "Datasets", exclude: ["MNIST"],
                swiftSettings: fast),
        // Layer 9: command-line plumbing and the commands themselves.
        .target(name: "SwiftletCLI", dependencies: ["Swiftlet", "Datasets", "SwiftletBenchmarks", "SwiftletFiles"], swiftSettings: fast),
        .target(name: "SwiftletBenchmarks", dependencies: ["Swiftlet", "Datasets"], path: "Benchmarks",
                exclude: ["peer", "distributed"], swiftSettings: fast),
        .executableTarget(name: "swiftlet", dependencies: ["SwiftletCLI", "ResNetExample"], swiftSettings: fast),

        // Teaching: the scalar autograd engine of docs/autograd/ chapter 1, its two-moons demo,
        // and the exercises (your answers in Exercises, one set of answers in ExerciseSolutions).
        .target(name: "ScalarAutograd", dependencies: ["SwiftletKernels"], swiftSettings: fast),
        .executableTarget(name: "two-moons", dependencies: ["ScalarAutograd"], path: "Sources/Examples/TwoMoons", swiftSettings: fast),
        .target(name: "Exercises", dependencies: ["Swiftlet", "ScalarAutograd"], swiftSettings: fast),
        .target(name: "ExerciseSolutions", dependencies: ["Exercises", "Swiftlet", "ScalarAutograd"], swiftSettings: fast),

        // Examples: a user's own model and program, built on the public API only.
        .target(name: "ResNetExample", dependencies: ["Swiftlet", "SwiftletCLI", "Datasets", "SwiftletBenchmarks"],
                path: "Sources/Examples/ResNet20", swiftSettings: fast),
        .executableTarget(name: "resnet20-tool", dependencies: ["SwiftletCLI", "ResNetExample"], path: "Sources/Examples/ResNet20Tool",
                          swiftSettings: fast),
        // The README's training script, as a user writes one.
        .executableTarget(name: "training-script", dependencies: ["Swiftlet", "Datasets"], path: "Sources/Examples/TrainingScript",
                          swiftSettings: fast),

        .testTarget(name: "SwiftletKernelsTests", dependencies: ["SwiftletKernels"], swiftSettings: fast),
        .testTarget(name: "SwiftletFilesTests", dependencies: ["SwiftletFiles"]),
        .testTarget(name: "SwiftletTests", dependencies: ["Swiftlet"], resources: [.copy("Fixtures")], swiftSettings: fast),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], exclude: ["make_gzip_fixtures.py"], swiftSettings: fast),
        .testTarget(name: "SwiftletCLITests", dependencies: ["SwiftletCLI", "ResNetExample", "SwiftletFiles"], swiftSettings: fast),
        .testTarget(name: "ScalarAutogradTests", dependencies: ["ScalarAutograd"], swiftSettings: fast),
        .testTarget(name: "ExercisesTests", dependencies: ["Exercises", "ExerciseSolutions", "Swiftlet", "ScalarAutograd"],
                    swiftSettings: fast),
        // Every ```swift block of the teaching docs is a marked region of a compiled source file.
        .testTarget(name: "DocsTests", swiftSettings: fast),

        // Fuzzing (docs/fuzzing.md): the readers' entry functions, run in-process by CI on the
        // seed corpus plus deterministic mutations.
        .target(name: "SwiftletFuzzTargets", dependencies: ["Swiftlet", "Datasets", "SwiftletKernels"], path: "Tests/Fuzz/Targets", swiftSettings: fast),
        .testTarget(name: "FuzzTargetTests", dependencies: ["SwiftletFuzzTargets", "SwiftletKernels"], swiftSettings: fast),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer executable links only with `-sanitize=fuzzer` (its main calls libFuzzer's
// driver), so only Tests/Fuzz/run-fuzzers.sh, which sets SWIFTLET_FUZZ, declares it.
if ProcessInfo.processInfo.environment["SWIFTLET_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "swiftlet-fuzz", dependencies: ["SwiftletFuzzTargets", "SwiftletKernels"], path: "Tests/Fuzz/Driver",
                                             swiftSettings: fast + [.unsafeFlags(["-parse-as-library"])]))
}
