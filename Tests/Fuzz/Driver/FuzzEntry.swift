import Foundation
import SwiftletFuzzTargets

// libFuzzer's entry point, built only by `Tests/Fuzz/run-fuzzers.sh` (SWIFTLET_FUZZ=1 and
// -sanitize=fuzzer, which supplies `main`). SWIFTLET_FUZZ_TARGET names the reader.

private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SWIFTLET_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("SWIFTLET_FUZZ_TARGET must be one of \(names), got \"\(name)\"\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
