import Foundation
import XCTest

/// The README's examples run, not only compile: `swift test` builds every product of the package,
/// the example executables included, into the build folder beside the test bundle; each test runs
/// one from the repository root (where the README runs them) and checks what it prints.
final class ExamplesRunTests: XCTestCase {
    /// The README's training script: one MNIST epoch (Datasets/MNIST ships with the package), then
    /// magnitude pruning; about 10 s on two cores. Chance is 10 %, one epoch of this net about 95 %.
    func testTrainingScriptPrintsTestAccuracyAfterPruning() throws {
        let output = try runExample("training-script", [])
        XCTAssertTrue(output.hasPrefix("epoch 1: loss "), output)  // the Trainer's ProgressPrinter
        let accuracy = try XCTUnwrap(number(after: "test accuracy after pruning:", in: output), output)
        XCTAssertGreaterThan(accuracy, 90, output)
        XCTAssertLessThanOrEqual(accuracy, 100, output)
    }

    /// The scalar engine's MLP on 100 seeded two-moons points: it reaches 99 % in 60 steps.
    func testTwoMoonsSeparatesTheMoons() throws {
        let output = try runExample("two-moons", [])
        let accuracy = try XCTUnwrap(number(after: "two moons:", in: output), output)
        XCTAssertGreaterThanOrEqual(accuracy, 95, output)
        XCTAssertLessThanOrEqual(accuracy, 100, output)
    }

    /// The user's tool is the whole command line plus the ResNet-20 model and experiment: its help,
    /// the experiment in `reproduce --list`, and one training step of the registered model (the
    /// `graph` command, which needs no dataset).
    func testResNet20ToolRegistersTheModelAndTheExperiment() throws {
        let help = try runExample("resnet20-tool", ["--help"])
        XCTAssertTrue(help.hasPrefix("resnet20-tool "), help)
        XCTAssertTrue(help.contains("reproduce"), help)
        XCTAssertTrue(try runExample("resnet20-tool", ["reproduce", "--list"]).contains("| resnet20-cifar-compress "))

        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("resnet20-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: svg) }
        let output = try runExample("resnet20-tool", ["graph", "--model", "resnet20", "--out", svg.path, "--threads", "1", "--json"])
        let line = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output)
        XCTAssertEqual(line["model"] as? String, "resnet20", output)
        // conv1 + BN (3), nine blocks of two conv + BN (54), two projection shortcuts of conv + BN (6), fc (2).
        XCTAssertEqual(line["parameters"] as? Int, 65, output)
        XCTAssertTrue(try String(contentsOf: svg, encoding: .utf8).hasPrefix("<svg"))
    }

    /// Runs the built executable `name` with the repository root as working directory; returns its
    /// stdout and stderr, after checking that it exited with 0.
    private func runExample(_ name: String, _ arguments: [String]) throws -> String {
        let folder = try XCTUnwrap(PackageFolders.buildFolder(holding: name),
                                   "no executable \(name) in the build folder beside the test bundle or above it: "
                                       + "build the package's products with `swift build -c release` before the tests")
        let (status, printed) = try PackageFolders.run(folder.appendingPathComponent(name), arguments)
        XCTAssertEqual(status, 0, "\(name) \(arguments.joined(separator: " ")) failed:\n\(printed)")
        return printed
    }

    /// The number printed right after `label` on one of `output`'s lines (a percentage here).
    private func number(after label: String, in output: String) -> Double? {
        output.split(separator: "\n").lazy.compactMap { line -> Double? in
            guard let range = line.range(of: label) else { return nil }
            return Double(line[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." })
        }.first
    }
}
