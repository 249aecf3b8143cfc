/// A reproducible experiment: one command, `swiftlet reproduce <id>`, that runs a source
/// document's recipe end to end and reports every stage.
public protocol Experiment: Sendable {
    /// The id on the command line, e.g. `seed000-mnist-prune`.
    var id: String { get }
    /// One line for `reproduce --list`.
    var summary: String { get }
    /// Where the document's recipe or sample code was wrong and what this run does instead;
    /// the report lists them.
    var corrections: [String] { get }
    /// Published or PyTorch figures for the same stages, shown beside ours in the report.
    var references: [ReferenceFigure] { get }
    /// How this run's setup differs from the one behind `references`; the report lists them.
    var setupDifferences: [String] { get }
    /// The stage whose model `reproduce --base FILE` reads from FILE instead of training: the
    /// one model every later stage starts from. Nil for an experiment without one.
    var baseStage: String? { get }
    /// The series a stage belongs to in the report's plots: the stages of one method, joined
    /// by a line in stage order.
    func series(ofStage stage: String) -> String
    func run(_ context: ExperimentContext) throws -> [StageResult]
}

extension Experiment {
    public var references: [ReferenceFigure] { [] }
    public var setupDifferences: [String] { [] }
    public var baseStage: String? { nil }

    /// Stages that differ only in a setting are one method: bits (`w8`, `w8a8`), a rank
    /// (`rank16`), a temperature (`t2`), a learning rate (`lr0.001`) or a bare number (`agp-12`,
    /// `pruned-70`). So `round-w8`, `round-w4` and `round-w2` are the series `round`, and
    /// `round-w8-retrained` belongs to `round-retrained`.
    public func series(ofStage stage: String) -> String {
        let method = stage.split(separator: "-").filter { $0.wholeMatch(of: #/w\d+(a\d+)?|a\d+|t[\d.]+|lr[\d.]+|rank\d+|[\d.]+/#) == nil }
        return method.isEmpty ? stage : method.joined(separator: "-")
    }
}

/// An accuracy someone else measured for one of an experiment's stages.
public struct ReferenceFigure: Sendable {
    public let stage: String
    /// Test accuracy, percent.
    public let accuracy: Double
    /// Who measured it and how: "PyTorch, same recipe and data", "Han et al. 2015".
    public let source: String
    /// Misclassified test images, where the source counts them (papers on MNIST do), and the
    /// size of the test set they were counted on.
    public let errors: (count: Int, of: Int)?

    public init(stage: String, accuracy: Double, source: String) {
        self.stage = stage
        self.accuracy = accuracy
        self.source = source
        errors = nil
    }

    /// A figure given as a count of test errors (of the 10,000 test images of MNIST or CIFAR-10).
    public init(stage: String, errors: Int, of images: Int = 10_000, source: String) {
        self.stage = stage
        accuracy = 100 * Double(images - errors) / Double(images)
        self.source = source
        self.errors = (errors, images)
    }
}

/// The experiments of the source documents, in the order `reproduce all` runs them.
let builtInExperiments: [any Experiment] = [
    Seed000MnistPrune(),
    Seed000MnistGradual(),
    Seed000MnistQuantize(),
    Seed001CifarPrune(),
    Seed001CifarBinary(),
    Seed002RegularizedPrune(),
    Seed002Quantize(),
    Seed003MnistL1Prune(),
    Han2015LeNet300(),
    Han2015LeNet5(),
    Seed001CifarDistill(),
    Seed002Distill(),
    Seed004CifarPruneDecompose(),
    Hinton2015Mnist(),
    CifarVGGCompress(),
    AutomaticCompressionExperiment.mnistNet,
    AutomaticCompressionExperiment.cifarSimpleCNN,
    AutomaticCompressionExperiment.lenet300Latency,
]
