import Foundation
import XCTest

/// Every public symbol of Swiftlet and Datasets has a doc comment. `swift test` has just built both
/// modules (DatasetsTests depends on them), so the test extracts their symbol graphs from the
/// build folder with the toolchain's swift-symbolgraph-extract (about a second) and checks those;
/// it skips, saying why, only where that tool is not beside `swift` on PATH. With `docc` on PATH
/// it then builds each module's catalog on those graphs, warnings as errors.
final class DocumentationCoverageTests: XCTestCase {
    func testEveryPublicSymbolOfSwiftletAndDatasetsIsDocumented() throws {
        guard let extract = PackageFolders.toolOnPath("swift-symbolgraph-extract") else {
            throw XCTSkip("swift-symbolgraph-extract is not on PATH; docs/build-docs.sh runs the same check")
        }
        let modules = try XCTUnwrap(Self.modulesFolder(), "no Modules/Swiftlet.swiftmodule above the test bundle")
        for module in ["Swiftlet", "Datasets"] {
            let graphs = FileManager.default.temporaryDirectory.appendingPathComponent("symbol-graphs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: graphs, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: graphs) }
            let process = Process()
            process.executableURL = extract
            process.arguments = ["-module-name", module, "-I", modules.path, "-target", Self.triple,
                                 "-minimum-access-level", "public", "-output-dir", graphs.path] + (try Self.mpiArguments())
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "swift-symbolgraph-extract failed for \(module)")
            let missing = try DocumentationCoverage.undocumentedSymbols(inSymbolGraphsAt: graphs, root: PackageFolders.root)
            XCTAssert(missing.isEmpty, "\(missing.count) public symbols of \(module) have no doc comment:\n"
                      + missing.joined(separator: "\n"))
            try convertWithoutWarnings(module, symbolGraphs: graphs)
        }
    }

    /// The DocC build of docs/build-docs.sh on the same symbol graphs: a broken symbol link, a
    /// parameter list that does not match the code or any other DocC warning fails the test.
    private func convertWithoutWarnings(_ module: String, symbolGraphs: URL) throws {
        guard let docc = PackageFolders.toolOnPath("docc") else { return print("docc is not on PATH: \(module)'s catalog not built") }
        let catalog = PackageFolders.root.appendingPathComponent(module == "Swiftlet" ? "Sources/Swiftlet/Swiftlet.docc" : "Datasets/Datasets.docc")
        let archive = symbolGraphs.appendingPathComponent("\(module).doccarchive")
        let process = Process(), output = Pipe()
        process.executableURL = docc
        process.arguments = ["convert", catalog.path, "--additional-symbol-graph-dir", symbolGraphs.path,
                             "--fallback-display-name", module, "--fallback-bundle-identifier", "org.swiftlet.\(module)",
                             "--warnings-as-errors", "--output-dir", archive.path]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "docc convert of \(module) failed:\n\(printed)")
    }

    func testCountsOwnAndInheritedCommentsAndSkipsSynthesizedSymbols() throws {
        func symbol(_ name: String, comment: String?, precise: String? = nil, located: Bool = true, access: String = "public") -> String {
            let doc = comment.map { #", "docComment": {"lines": [{"text": "\#($0)"}]}"# } ?? ""
            let location = located ? #", "location": {"uri": "file:///repo/Sources/A.swift", "position": {"line": 4}}"# : ""
            return #"{"identifier": {"precise": "\#(precise ?? "s:1M" + name)"}, "kind": {"identifier": "swift.method"}, "#
                + #""pathComponents": ["T", "\#(name)"], "accessLevel": "\#(access)"\#(doc)\#(location)}"#
        }
        let symbols = [symbol("documented", comment: "Does a thing."), symbol("bare", comment: nil),
                       symbol("blank", comment: "  "), symbol("internalOne", comment: nil, access: "internal"),
                       symbol("inherited", comment: nil, precise: "s:SH4hash::SYNTHESIZED::s:1MT"),
                       symbol("implicit", comment: nil, located: false)]
        let json = #"{"module": {"name": "M"}, "symbols": [\#(symbols.joined(separator: ", "))]}"#
        let graph = try JSONDecoder().decode(DocumentationCoverage.Graph.self, from: Data(json.utf8))
        XCTAssertEqual(DocumentationCoverage.undocumented(graph, root: URL(fileURLWithPath: "/repo")),
                       ["M T.bare (swift.method) Sources/A.swift:5", "M T.blank (swift.method) Sources/A.swift:5"])
    }

    private static var triple: String {
        #if arch(x86_64)
        let arch = "x86_64"
        #else
        let arch = "aarch64"
        #endif
        #if os(macOS)
        return (arch == "aarch64" ? "arm64" : arch) + "-apple-macosx15.0"
        #else
        return arch + "-unknown-linux-gnu"
        #endif
    }

    /// With the MPI trait Swiftlet imports CMPI, so the extractor needs its module map and Open
    /// MPI's headers (where `pkg-config ompi-c` says, as SwiftPM found them); nothing without.
    private static func mpiArguments() throws -> [String] {
        #if MPI
        let pkgConfig = try XCTUnwrap(PackageFolders.toolOnPath("pkg-config"), "the MPI trait is on but pkg-config is not on PATH")
        let (status, flags) = try PackageFolders.run(pkgConfig, ["--cflags-only-I", "ompi-c"])
        XCTAssertEqual(status, 0, "pkg-config --cflags-only-I ompi-c failed: \(flags)")
        return ["-I", PackageFolders.root.appendingPathComponent("Sources/CMPI").path]
            + flags.split(whereSeparator: \.isWhitespace).flatMap { ["-Xcc", String($0)] }
        #else
        return []
        #endif
    }

    /// The build folder's module folder (or the build folder itself where the modules lie at its top).
    private static func modulesFolder() -> URL? {
        PackageFolders.buildFolder(holding: "Modules/Swiftlet.swiftmodule").map { $0.appendingPathComponent("Modules") }
            ?? PackageFolders.buildFolder(holding: "Swiftlet.swiftmodule")
    }
}
