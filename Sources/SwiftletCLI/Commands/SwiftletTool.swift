/// The `swiftlet` command and its subcommands.
public let swiftletTool = CommandLineTool(
    name: "swiftlet",
    summary: "train, compress and evaluate models on MNIST and CIFAR-10",
    version: "0.1.0",
    commands: [ReproduceCommand(), ReportCommand(), TrainCommand(), PruneCommand(), SensitivityCommand(), QuantizeCommand(),
               DistillCommand(), DecomposeCommand(), EvaluateCommand(), FetchCommand(), BenchCommand()])
