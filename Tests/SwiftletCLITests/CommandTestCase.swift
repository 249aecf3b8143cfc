import Foundation
import XCTest
import ResNetExample
@testable import SwiftletCLI

/// The set-up the command tests share: a tiny IDX dataset in a temporary folder, and `run`,
/// which captures the tool's exit code, stdout and stderr.
class CommandTestCase: XCTestCase {
    var folder: URL!
    /// The tiny dataset's folder, for `--dataset`.
    var data: String { folder.appendingPathComponent("data").path }
    /// Images in the tiny dataset's training and test files.
    var datasetImages: (train: Int, test: Int) { (256, 64) }
    /// Appended to every `run`, e.g. `--threads 1`.
    var fixedArguments: [String] { [] }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-\(type(of: self))-\(UUID().uuidString)")
        try writeIDXDataset(to: folder.appendingPathComponent("data"), side: 28, train: datasetImages.train, test: datasetImages.test)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func run(_ arguments: [String]) -> (code: Int32, output: String, errors: String) {
        let output = TextBuffer(), errors = TextBuffer()
        let code = swiftletTool(models: [ResNet20.entry], experiments: [ResNet20CifarCompress(), AutomaticCompressionExperiment.resNet20()]).run(arguments + fixedArguments, console: Console(output: output, diagnostics: errors))
        return (code, output.text, errors.text)
    }

    /// Each stdout line parsed as a JSON object.
    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }
}

/// Writes an MNIST-layout IDX folder of `side`×`side` images whose class is a bright
/// square at one of ten positions, plus noise: learnable in a couple of epochs.
func writeIDXDataset(to folder: URL, side: Int, train: Int, test: Int) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var state: UInt32 = 12345
    func noise() -> UInt8 { state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 27) }
    func write(_ prefix: String, count: Int) throws {
        var images = header(0x0803, [count, side, side]), labels = header(0x0801, [count])
        for index in 0..<count {
            let label = index % 10
            let (top, left) = ((label / 5) * side / 2, (label % 5) * side / 5)
            for row in 0..<side {
                for column in 0..<side {
                    let inside = row >= top && row < top + side / 3 && column >= left && column < left + max(side / 6, 1)
                    images.append(inside ? 230 : noise())
                }
            }
            labels.append(UInt8(label))
        }
        try Data(images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
    func header(_ magic: UInt32, _ dimensions: [Int]) -> [UInt8] {
        ([magic] + dimensions.map(UInt32.init)).flatMap { value in (0..<4).reversed().map { UInt8((value >> (8 * $0)) & 0xFF) } }
    }
    try write("train", count: train)
    try write("t10k", count: test)
}
