import Foundation
import Swiftlet
import XCTest

/// `--distributed`: without the MPI trait, a clear refusal; with it, two ranks under `mpirun`
/// on this machine train like one process with their combined batch.
final class DistributedTrainingTests: CommandTestCase {
    override var fixedArguments: [String] { ["--threads", "1"] }

    func testWithoutMPITheFlagSaysHowToBuildWithIt() throws {
        try XCTSkipIf(isBuiltWithMPI, "this build has the MPI trait, so a build without MPI is not what runs here")
        let out = folder.appendingPathComponent("run").path
        let result = run(["train", "--model", "mnist-net", "--dataset", data, "--epochs", "1", "--distributed", "--out", out])
        XCTAssertEqual(result.code, 1)
        XCTAssertTrue(result.errors.contains("Swiftlet was built without MPI"), result.errors)
        XCTAssertTrue(result.errors.contains("--traits MPI"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written before the refusal")
    }

    /// 2 ranks × 16 images per step against 1 process × 32 over the same image order: the same
    /// weights up to float rounding (the gradient is summed in another order), and only rank 0
    /// prints its result.
    func testTwoRanksTrainLikeOneProcessWithTheirCombinedBatch() throws {
        try XCTSkipUnless(isBuiltWithMPI, "did not run: Swiftlet was built without the MPI trait. Install Open MPI and run "
                          + "`swift test -c release --traits MPI -Xswiftc -enable-testing --disable-swift-testing` (docs/distributed.md)")
        let mpirun = try XCTUnwrap(executableInPath("mpirun"), "the MPI trait is on but mpirun is not in PATH: install openmpi-bin")
        // The test bundle sits in the build folder (on macOS one level deeper), beside the executables.
        let bundle = Bundle(for: Self.self).bundleURL
        let swiftlet = try XCTUnwrap([bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("swiftlet") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "no swiftlet executable in the build folder of \(bundle.path): `swift build -c release --traits MPI` first")
        let common = ["train", "--model", "mnist-net", "--dataset", data, "--epochs", "2", "--seed", "3"]
        let single = folder.appendingPathComponent("single"), parallel = folder.appendingPathComponent("parallel")
        XCTAssertEqual(run(common + ["--batch-size", "32", "--out", single.path]).code, 0)

        let process = Process(), output = Pipe()
        process.executableURL = mpirun
        process.arguments = ["-np", "2", "--oversubscribe", swiftlet.path] + common + fixedArguments + ["--batch-size", "16", "--distributed", "--out", parallel.path]
        // Open MPI refuses to run as root (as CI does) unless told that it is meant.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, printed)
        XCTAssertEqual(printed.components(separatedBy: "mnist-net: test accuracy").count - 1, 1, "rank 0 alone reports:\n\(printed)")

        let expected = try SafeTensorsFile.read(from: single.appendingPathComponent("model.safetensors"))
        let got = try SafeTensorsFile.read(from: parallel.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(Set(got.tensors.keys), Set(expected.tensors.keys))
        for name in expected.tensors.keys.sorted() {
            let (a, b) = (try got.floats(named: name), try expected.floats(named: name))
            let largest = b.map(abs).max() ?? 0
            let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(difference, 1e-4 * max(largest, 1e-6), "\(name): largest difference \(difference), largest weight \(largest)")
        }
    }

    private func executableInPath(_ name: String) -> URL? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
