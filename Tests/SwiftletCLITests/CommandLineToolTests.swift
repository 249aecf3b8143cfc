import XCTest
@testable import SwiftletCLI

final class CommandLineToolTests: XCTestCase {
    /// A command that records what it was given, or fails on request.
    final class Train: Command {
        static let epochs = Option.integer("epochs", default: 10, range: .positive, help: "Training epochs")
        static let fail = Option.flag("fail", help: "Throw a runtime error")
        let name = "train"
        let summary = "Train a model"
        let discussion = "Writes DIR/model.safetensors."
        var options: [any OptionDeclaration] { [Self.epochs, Self.fail, GlobalOptions.json, GlobalOptions.threads] }
        var positionals: [Positional] { [Positional("model", help: "Which model", choices: ["mnist-net", "lenet300"])] }
        var received: [Int] = []

        struct Failure: Error, CustomStringConvertible {
            var description: String { "cannot open data/train-images.gz:\nno such file" }
        }

        func run(_ arguments: ParsedArguments, console: Console) throws {
            if arguments[Self.fail] { throw Failure() }
            received.append(arguments[Self.epochs])
            JSONLinesWriter(sink: console.output).write(["stage": "trained", "epochs": .integer(arguments[Self.epochs])])
        }
    }

    private var train = Train()
    private var output = TextBuffer()
    private var errors = TextBuffer()

    override func setUp() {
        train = Train()
        output = TextBuffer()
        errors = TextBuffer()
    }

    private func run(_ words: [String]) -> Int32 {
        let tool = CommandLineTool(name: "swiftlet", summary: "train and compress", version: "1.2.3", commands: [train])
        return tool.run(words, console: Console(output: output, diagnostics: errors))
    }

    func testRunsTheCommand() {
        XCTAssertEqual(run(["train", "lenet300", "--epochs", "2", "--json"]), 0)
        XCTAssertEqual(train.received, [2])
        XCTAssertEqual(output.text, "{\"stage\": \"trained\", \"epochs\": 2}\n")
        XCTAssertEqual(errors.text, "")
    }

    func testUserErrorsExitWithOneLineOnStderr() {
        let cases: [([String], String)] = [
            (["train", "mnist-net", "--epochs", "ten"], "error: --epochs expects a positive integer, got \"ten\"\n"),
            (["trian"], "error: unknown command \"trian\"; expected one of train, help\n"),
            ([], "error: no command given; expected one of train, help\n"),
            (["train"], "error: \"swiftlet train\" expects <model>\n"),
            (["help", "bogus"], "error: unknown command \"bogus\"; expected one of train, help\n"),
            (["train", "mnist-net", "--fail"], "error: cannot open data/train-images.gz: no such file\n"),
        ]
        for (words, message) in cases {
            errors = TextBuffer()
            XCTAssertEqual(run(words), 1, "\(words)")
            XCTAssertEqual(errors.text, message)
            XCTAssertEqual(output.text, "", "\(words) printed on stdout")
        }
        XCTAssertEqual(train.received, [])
    }

    func testTopLevelHelpListsCommands() {
        for words in [["--help"], ["-h"], ["help"], ["help", "help"]] {
            output = TextBuffer()
            XCTAssertEqual(run(words), 0)
            XCTAssertTrue(output.text.hasPrefix("swiftlet 1.2.3: train and compress\n\nUsage: swiftlet <command> [options]"))
            XCTAssertTrue(output.text.contains("\n  train  Train a model\n"), output.text)
            XCTAssertTrue(output.text.contains("\n  help   Show help for a command\n"), output.text)
        }
        output = TextBuffer()
        XCTAssertEqual(run(["--version"]), 0)
        XCTAssertEqual(output.text, "swiftlet 1.2.3\n")
    }

    func testCommandHelpShowsEveryOption() {
        XCTAssertEqual(run(["help", "train"]), 0)
        let help = output.text
        output = TextBuffer()
        XCTAssertEqual(run(["train", "--epochs", "bad", "--help"]), 0, "--help wins over other mistakes")
        XCTAssertEqual(output.text, help)
        XCTAssertEqual(train.received, [])
        XCTAssertEqual(help, """
            Usage: swiftlet train [options] <model>

            Train a model

            Writes DIR/model.safetensors.

            Arguments:
              <model>  Which model (one of: mnist-net, lenet300)

            Options:
              --epochs N   Training epochs (a positive integer; default 10)
              --fail       Throw a runtime error
              --json       Print results as JSON, one object per line, and nothing else on stdout
              --threads N  Worker threads; every core when absent (an integer from 1 to 1024; env SWIFTLET_THREADS)
              -h, --help   Show this help

            """)
    }
}
