/// A building block of a model: it maps an input tensor to an output tensor and owns
/// named parameters (learned), buffers (other saved state) and child modules.
///
/// Names follow PyTorch's `state_dict`: a child's tensors are prefixed with the child's
/// name, so the `weight` of a child `conv1` is `conv1.weight`. Subclasses list their own
/// tensors in `localParameters` / `localBuffers`; children stored in properties are found
/// by reflection (override `children` to name them differently).
open class Module {
    /// Training mode changes what some layers do (dropout, batch-norm statistics).
    public private(set) var isTraining = true

    public init() {}

    /// The forward pass. Every concrete module overrides this.
    open func callAsFunction(_ input: Tensor) throws -> Tensor {
        throw TensorError.invalidArgument(op: "\(type(of: self))", "this module does not implement callAsFunction(_:)")
    }

    /// This module's own learnable tensors, e.g. `[("weight", w), ("bias", b)]`.
    open var localParameters: [(name: String, tensor: Tensor)] { [] }

    /// This module's own non-learnable state, e.g. batch-norm running statistics.
    open var localBuffers: [(name: String, tensor: Tensor)] { [] }

    /// The direct submodules, in declaration order. By default: every stored property
    /// holding a `Module` (or an array of them, named `property.index`).
    open var children: [(name: String, module: Module)] {
        var found: [(String, Module)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[(String, Module)]] = []
        while let current = mirror {
            var level: [(String, Module)] = []
            for case let (label?, value) in current.children {
                if let module = value as? Module {
                    level.append((label, module))
                } else if let modules = value as? [Module] {
                    level += modules.enumerated().map { ("\(label).\($0.offset)", $0.element) }
                }
            }
            levels.append(level)
            mirror = current.superclassMirror
        }
        // Superclass properties first, as they were declared first.
        for level in levels.reversed() { found += level }
        return found
    }

    /// Every parameter in the tree, with its dotted name, in a stable order.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        localParameters + children.flatMap { child in
            child.module.namedParameters.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// Every buffer in the tree, with its dotted name.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        localBuffers + children.flatMap { child in
            child.module.namedBuffers.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// The parameters, for an optimizer.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Parameters and buffers together: what a checkpoint holds.
    public var stateDict: [(name: String, tensor: Tensor)] { namedParameters + namedBuffers }

    /// The total number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Switches this module and all its children to training mode.
    public func train() { setTraining(true) }

    /// Switches this module and all its children to evaluation mode.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        isTraining = training
        for child in children { child.module.setTraining(training) }
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// The submodule at a dotted path such as `"fc1"` or `"features.0"`, or nil.
    public func submodule(at path: String) -> Module? {
        var module: Module = self
        for component in path.split(separator: ".") {
            guard let next = module.children.first(where: { $0.name == component })?.module else { return nil }
            module = next
        }
        return module
    }
}
