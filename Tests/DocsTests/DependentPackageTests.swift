import Foundation
import XCTest

/// Depending on Swiftlet from another package works: Tests/DependentPackage, a package of its own
/// whose manifest depends on this one by path and whose program uses `Swiftlet` and `Datasets`
/// through their public API only, builds with `swift build` and runs. Its build folder is
/// `.build-dependent` at the repository root, kept between runs, so only the first run (a clean
/// CI clone) compiles Swiftlet a second time; later runs rebuild what changed.
final class DependentPackageTests: XCTestCase {
    func testAPackageThatDependsOnSwiftletBuildsAndRuns() throws {
        let swift = try XCTUnwrap(PackageFolders.toolOnPath("swift"), "swift is not on PATH")
        let package = PackageFolders.root.appendingPathComponent("Tests/DependentPackage")
        let scratch = PackageFolders.root.appendingPathComponent(".build-dependent")
        let build = try PackageFolders.run(swift, ["build", "-c", "release", "--package-path", package.path, "--scratch-path", scratch.path,
                                    "--product", "dependent"])
        XCTAssertEqual(build.status, 0, "swift build of Tests/DependentPackage failed:\n\(build.output)")
        let program = try PackageFolders.run(scratch.appendingPathComponent("release/dependent"), [])
        XCTAssertEqual(program.status, 0, program.output)
        // Two classes told apart by which half of the image holds the bars: 5 epochs learn them.
        XCTAssertEqual(program.output, "dependent: test accuracy 100.0\n")
    }
}
