import Foundation
import SwiftletFuzzTargets
import SwiftletKernels

// The libFuzzer driver, built only by `Tests/Fuzz/run-fuzzers.sh` (SWIFTLET_FUZZ=1 and
// -sanitize=fuzzer,address). SWIFTLET_FUZZ_TARGET names the reader.

private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SWIFTLET_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("SWIFTLET_FUZZ_TARGET must be one of \(names), got \"\(name)\"\n".utf8))
        exit(2)
    }
    Parallel.threads = 1  // one job on one core: fuzzing shares the machine
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's own driver (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*)(const uint8_t *, size_t))`).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                             _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`, so libFuzzer's `main` is never
/// used: this one hands the process to libFuzzer's driver instead.
@_cdecl("swiftlet_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var (count, arguments) = (argc, argv)
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
