/// A reproducible experiment: one command, `swiftlet reproduce <id>`, that runs a source
/// document's recipe end to end and reports every stage.
protocol Experiment {
    /// The id on the command line, e.g. `seed000-mnist-prune`.
    var id: String { get }
    /// One line for `reproduce --list`.
    var summary: String { get }
    /// Where the document's recipe or sample code was wrong and what this run does instead;
    /// the report lists them.
    var corrections: [String] { get }
    func run(_ context: ExperimentContext) throws -> [StageResult]
}

/// Every experiment `swiftlet reproduce` knows, in the order `reproduce all` runs them.
let experiments: [Experiment] = [
    Seed000MnistPrune(),
    Seed001CifarDistill(),
    Seed002Distill(),
    Seed004CifarPruneDecompose(),
    Hinton2015Mnist(),
]
