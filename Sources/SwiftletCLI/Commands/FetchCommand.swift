import Datasets
import Foundation

/// `swiftlet fetch`: fills the dataset cache from the mirror, the shipped copy or the network.
struct FetchCommand: Command {
    let name = "fetch"
    let summary = "Download (or copy from --mirror) and verify a dataset into the cache"
    static let dataset = Positional("dataset", help: "mnist or cifar10", choices: ["mnist", "cifar10"])

    var options: [any OptionDeclaration] { [GlobalOptions.dataDirectory, GlobalOptions.mirror] }
    var positionals: [Positional] { [Self.dataset] }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        guard let name = arguments[Self.dataset] else { throw UsageError.missingArgument("dataset", command: "swiftlet fetch") }
        let folder = try fetch(name, options: CommonOptions.fetchOptions(arguments)) { console.diagnostics.write($0 + "\n") }
        console.output.write("\(name): verified in \(folder.path)\n")
    }
}
