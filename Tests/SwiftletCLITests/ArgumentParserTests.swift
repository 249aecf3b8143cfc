import XCTest
@testable import SwiftletCLI

final class ArgumentParserTests: XCTestCase {
    enum Bench: String, CaseIterable { case sgemm, train, infer, latency }

    static let epochs = Option.integer("epochs", default: 10, range: .positive, help: "Training epochs")
    static let lr = Option.number("lr", default: 0.01, range: .positive, help: "Learning rate")
    static let bits = Option<Int?>.integer("bits", range: .within(1...16), help: "Bits per weight")
    static let out = Option<String?>.string("out", placeholder: "DIR", help: "Output folder")
    static let only = Option<Bench?>.choice("only", help: "One benchmark")
    static let model = Option.choice("model", ["mnist-net", "lenet300"], default: "mnist-net", help: "Model")
    static let tags = Option.strings("tag", help: "Labels")
    static let rounds = Option.integer("rounds", default: 5, range: .epochs, help: "Rounds")
    static let experiment = Positional("experiment-id", help: "Experiment", isOptional: true)

    static let options: [any OptionDeclaration] = [epochs, lr, bits, out, only, model, tags, rounds] + GlobalOptions.all

    private func parse(_ words: [String], environment: [String: String] = [:]) throws -> ParsedArguments {
        try ParsedArguments(parsing: words, options: Self.options.map(\.spec), positionals: [Self.experiment],
                            commandPath: "swiftlet test", environment: environment)
    }

    private func assertError(_ words: [String], _ expected: UsageError, _ message: String,
                             environment: [String: String] = [:], line: UInt = #line) {
        XCTAssertThrowsError(try parse(words, environment: environment), line: line) { error in
            XCTAssertEqual(error as? UsageError, expected, line: line)
            XCTAssertEqual("\(error)", message, line: line)
        }
    }

    func testDefaultsWhenNothingIsGiven() throws {
        let arguments = try parse([])
        XCTAssertEqual(arguments[Self.epochs], 10)
        XCTAssertEqual(arguments[Self.lr], 0.01)
        XCTAssertNil(arguments[Self.bits])
        XCTAssertNil(arguments[Self.out])
        XCTAssertNil(arguments[Self.only])
        XCTAssertEqual(arguments[Self.model], "mnist-net")
        XCTAssertEqual(arguments[Self.tags], [])
        XCTAssertFalse(arguments[GlobalOptions.json])
        XCTAssertEqual(arguments[GlobalOptions.seed], 0)
        XCTAssertNil(arguments[Self.experiment])
        XCTAssertFalse(arguments.isGiven(Self.epochs))
    }

    func testSpaceAndEqualsFormsAndPositionals() throws {
        let arguments = try parse(["seed000", "--epochs", "3", "--lr=1e-3", "--out", "runs/a", "--json",
                                   "--only=latency", "--model", "lenet300", "--tag", "a", "--tag=b", "--bits", "4",
                                   "--threads", "2", "--data-dir=/data"])
        XCTAssertEqual(arguments[Self.epochs], 3)
        XCTAssertEqual(arguments[Self.lr], 0.001)
        XCTAssertEqual(arguments[Self.out], "runs/a")
        XCTAssertTrue(arguments[GlobalOptions.json])
        XCTAssertEqual(arguments[Self.only], .latency)
        XCTAssertEqual(arguments[Self.model], "lenet300")
        XCTAssertEqual(arguments[Self.tags], ["a", "b"])
        XCTAssertEqual(arguments[Self.bits], 4)
        XCTAssertEqual(arguments[GlobalOptions.threads], 2)
        XCTAssertEqual(arguments[GlobalOptions.dataDirectory], "/data")
        XCTAssertEqual(arguments[Self.experiment], "seed000")
        XCTAssertTrue(arguments.isGiven(Self.epochs))
    }

    func testNegativeNumbersAndDoubleDashSeparator() throws {
        let options = [Option.number("shift", default: 0, help: "Shift").spec]
        let positional = [Positional("a", help: ""), Positional("b", help: "")]
        let arguments = try ParsedArguments(parsing: ["--shift", "-0.5", "--", "--json"], options: options,
                                            positionals: [Positional("a", help: "")], commandPath: "x")
        XCTAssertEqual(arguments[Option.number("shift", default: 0, help: "Shift")], -0.5)
        XCTAssertEqual(arguments[Positional("a", help: "")], "--json")
        let negative = try ParsedArguments(parsing: ["-3", "-"], options: [], positionals: positional, commandPath: "x")
        XCTAssertEqual(negative[positional[0]], "-3")
        XCTAssertEqual(negative[positional[1]], "-")
    }

    func testEnvironmentStandsInForAbsentOptions() throws {
        let environment = ["SWIFTLET_DATA": "/env/data", "SWIFTLET_THREADS": "3"]
        let fromEnvironment = try parse([], environment: environment)
        XCTAssertEqual(fromEnvironment[GlobalOptions.dataDirectory], "/env/data")
        XCTAssertEqual(fromEnvironment[GlobalOptions.threads], 3)
        XCTAssertTrue(fromEnvironment.isGiven(GlobalOptions.threads))
        let overridden = try parse(["--data-dir", "/flag"], environment: environment)
        XCTAssertEqual(overridden[GlobalOptions.dataDirectory], "/flag")
        assertError([], .invalidEnvironmentValue(variable: "SWIFTLET_THREADS", option: "--threads", value: "many",
                                                 expected: "an integer from 1 to 1024"),
                    #"SWIFTLET_THREADS (standing in for --threads) expects an integer from 1 to 1024, got "many""#,
                    environment: ["SWIFTLET_THREADS": "many"])
    }

    func testBadNumbers() {
        assertError(["--epochs", "ten"], .invalidValue(option: "--epochs", value: "ten", expected: "a positive integer"),
                    #"--epochs expects a positive integer, got "ten""#)
        assertError(["--epochs=0"], .invalidValue(option: "--epochs", value: "0", expected: "a positive integer"),
                    #"--epochs expects a positive integer, got "0""#)
        assertError(["--epochs", "2.5"], .invalidValue(option: "--epochs", value: "2.5", expected: "a positive integer"),
                    #"--epochs expects a positive integer, got "2.5""#)
        assertError(["--lr", "fast"], .invalidValue(option: "--lr", value: "fast", expected: "a positive number"),
                    #"--lr expects a positive number, got "fast""#)
        assertError(["--lr", "nan"], .invalidValue(option: "--lr", value: "nan", expected: "a positive number"),
                    #"--lr expects a positive number, got "nan""#)
        assertError(["--bits", "32"], .invalidValue(option: "--bits", value: "32", expected: "an integer from 1 to 16"),
                    #"--bits expects an integer from 1 to 16, got "32""#)
        assertError(["--seed", "-1"], .invalidValue(option: "--seed", value: "-1", expected: "a non-negative integer"),
                    #"--seed expects a non-negative integer, got "-1""#)
    }

    func testNumbersAreCheckedAsTheFloatTheyBecome() throws {
        let float = "a positive number that a 32-bit float can hold (magnitude 1.4e-45 to 3.4e38)"
        for text in ["1e300", "1e39", "1e-300"] {
            assertError(["--lr", text], .invalidValue(option: "--lr", value: text, expected: float),
                        "--lr expects \(float), got \"\(text)\"")
        }
        XCTAssertEqual(try parse(["--lr", "1e-40"])[Self.lr], Float("1e-40"), "subnormal, but not zero")
        XCTAssertEqual(try parse(["--lr", "3e38"])[Self.lr], 3e38)
    }

    func testCountsHaveBoundsThatKeepTheirProductsInAnInt() {
        let huge = "\(Int.max)"
        assertError(["--rounds", huge], .invalidValue(option: "--rounds", value: huge, expected: "an integer from 1 to 100000"),
                    #"--rounds expects an integer from 1 to 100000, got "9223372036854775807""#)
        assertError(["--threads", huge], .invalidValue(option: "--threads", value: huge, expected: "an integer from 1 to 1024"),
                    #"--threads expects an integer from 1 to 1024, got "9223372036854775807""#)
        guard case let .within(epochs) = ValueRange<Int>.epochs, case let .within(images) = ValueRange<Int>.images else {
            return XCTFail("bounded ranges")
        }
        let product = epochs.upperBound.multipliedReportingOverflow(by: epochs.upperBound)
        XCTAssertFalse(product.overflow)
        XCTAssertFalse(product.partialValue.multipliedReportingOverflow(by: images.upperBound).overflow,
                       "epochs × rounds × batches (at most one per image) fits an Int")
    }

    func testBadChoices() {
        assertError(["--only", "gemm"],
                    .invalidValue(option: "--only", value: "gemm", expected: "one of sgemm, train, infer, latency"),
                    #"--only expects one of sgemm, train, infer, latency, got "gemm""#)
        assertError(["--model=resnet"], .invalidValue(option: "--model", value: "resnet", expected: "one of mnist-net, lenet300"),
                    #"--model expects one of mnist-net, lenet300, got "resnet""#)
    }

    func testMissingValues() {
        assertError(["--epochs"], .missingValue(option: "--epochs", expected: "a positive integer"),
                    "--epochs expects a positive integer, got nothing")
        assertError(["--out", "--json"], .missingValue(option: "--out", expected: "a value (DIR)"),
                    "--out expects a value (DIR), got nothing")
        assertError(["--out="], .invalidValue(option: "--out", value: "", expected: "a value (DIR)"),
                    #"--out expects a value (DIR), got """#)
    }

    func testUnknownOptionsSuggestTheClosestName() {
        assertError(["--epoch", "3"], .unknownOption("--epoch", command: "swiftlet test", suggestion: "--epochs"),
                    #"unknown option --epoch for "swiftlet test"; did you mean --epochs?"#)
        assertError(["--thr", "3"], .unknownOption("--thr", command: "swiftlet test", suggestion: "--threads"),
                    #"unknown option --thr for "swiftlet test"; did you mean --threads?"#)
        assertError(["--frobnicate"], .unknownOption("--frobnicate", command: "swiftlet test", suggestion: nil),
                    #"unknown option --frobnicate for "swiftlet test""#)
        assertError(["-x"], .unknownOption("-x", command: "swiftlet test", suggestion: nil),
                    #"unknown option -x for "swiftlet test""#)
    }

    func testFlagsTakeNoValueAndOptionsAreNotRepeated() {
        assertError(["--json=yes"], .flagWithValue(option: "--json", value: "yes"),
                    #"--json is a flag and takes no value, got "yes""#)
        assertError(["--lr", "0.1", "--lr", "0.01"], .repeatedOption("--lr", values: ["0.1", "0.01"]),
                    #"--lr given 2 times ("0.1", "0.01"); it takes one value"#)
    }

    func testPositionals() throws {
        let required = [Positional("dataset", help: "Dataset", choices: ["mnist", "cifar10"])]
        func parse(_ words: [String]) throws -> ParsedArguments {
            try ParsedArguments(parsing: words, options: [], positionals: required, commandPath: "swiftlet fetch")
        }
        XCTAssertEqual(try parse(["cifar10"])[required[0]], "cifar10")
        XCTAssertThrowsError(try parse([])) { error in
            XCTAssertEqual("\(error)", #""swiftlet fetch" expects <dataset>"#)
        }
        XCTAssertThrowsError(try parse(["imagenet"])) { error in
            XCTAssertEqual("\(error)", #"<dataset> expects one of mnist, cifar10, got "imagenet""#)
        }
        XCTAssertThrowsError(try parse(["mnist", "cifar10"])) { error in
            XCTAssertEqual(error as? UsageError, .unexpectedArgument("cifar10", command: "swiftlet fetch"))
            XCTAssertEqual("\(error)", #"unexpected argument "cifar10" for "swiftlet fetch""#)
        }
    }

    func testEditDistance() {
        XCTAssertEqual(editDistance("epoch", "epochs"), 1)
        XCTAssertEqual(editDistance("", "abc"), 3)
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(closestName(to: "sed", among: ["seed", "json"]), "seed")
        XCTAssertNil(closestName(to: "x", among: ["seed", "json"]))
    }
}
