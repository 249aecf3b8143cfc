/// Modules applied one after another. Layers may be given names — those become the
/// parameter-name prefixes (`conv1.weight`); unnamed layers are named by their position,
/// as in PyTorch's `nn.Sequential`.
///
///     let model = Sequential {
///         ("conv1", Conv2d(1, 10, kernelSize: 5)); MaxPool2d(2); ReLU()
///         Flatten(); ("fc1", Linear(1440, 10))
///     }
public final class Sequential: Module {
    /// The layers in order, with the names their parameters are prefixed by.
    public private(set) var layers: [(name: String, module: Module)]

    /// Layers with explicit names.
    public init(_ layers: [(name: String, module: Module)]) {
        self.layers = layers
    }

    /// Layers listed in a builder block; an unnamed layer is named by its position.
    public convenience init(@SequentialBuilder _ build: () -> [(name: String?, module: Module)]) {
        let entries = build()
        self.init(entries.enumerated().map { index, entry in (entry.name ?? "\(index)", entry.module) })
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let fusing = InferenceFusion.isAllowed
        var x = input
        var index = 0
        while index < layers.count {
            if fusing, let step = try InferenceFusion.run(layers[index...].lazy.map(\.module), input: x) {
                x = step.output
                index += step.layers
            } else {
                x = try layers[index].module(x)
                index += 1
            }
        }
        return x
    }

    public override var children: [(name: String, module: Module)] { layers }

    public override func replaceChild(named name: String, with replacement: Module, path: String) throws {
        guard let index = layers.firstIndex(where: { $0.name == name }) else {
            throw ModuleTreeError.noModule(path: path, candidates: layers.map(\.name))
        }
        layers[index].module = replacement
    }
}

/// Builds the layer list of a `Sequential`: each line is a module or a `(name, module)` pair.
@resultBuilder
public enum SequentialBuilder {
    /// An unnamed layer.
    public static func buildExpression(_ module: Module) -> [(name: String?, module: Module)] { [(nil, module)] }
    /// A layer with a name: `("fc1", Linear(784, 10))`.
    public static func buildExpression(_ named: (String, Module)) -> [(name: String?, module: Module)] { [(named.0, named.1)] }
    /// The lines of a block, in order.
    public static func buildBlock(_ parts: [(name: String?, module: Module)]...) -> [(name: String?, module: Module)] { parts.flatMap { $0 } }
    /// The layers of an `if` without `else`, none when it is false.
    public static func buildOptional(_ part: [(name: String?, module: Module)]?) -> [(name: String?, module: Module)] { part ?? [] }
    /// The layers of the `if` branch taken.
    public static func buildEither(first part: [(name: String?, module: Module)]) -> [(name: String?, module: Module)] { part }
    /// The layers of the `else` branch taken.
    public static func buildEither(second part: [(name: String?, module: Module)]) -> [(name: String?, module: Module)] { part }
    /// The layers of a `for` loop, iteration after iteration.
    public static func buildArray(_ parts: [[(name: String?, module: Module)]]) -> [(name: String?, module: Module)] { parts.flatMap { $0 } }
}
