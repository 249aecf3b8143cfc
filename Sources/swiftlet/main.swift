import ResNetExample
import SwiftletCLI

// The built-in models and experiments, and the ResNet-20 example's (a model written outside
// the library, registered the way any program registers its own).
swiftletTool(models: [ResNet20.entry], experiments: [ResNet20CifarCompress(), AutomaticCompressionExperiment.resNet20()]).main()
